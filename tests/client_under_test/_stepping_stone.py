"""TEMPORARY: a minimal Orchestrator in front of MockCloud's identity, used only until the
mock's own Orchestrator routes exist (``mock_orchestrator/orchestrator/urls.py``).

``orchestrator_transport(cloud)`` returns ``cloud.transport()`` as soon as the real routes are
there; the tests never know the difference.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx

from mock_orchestrator import MockCloud
from mock_orchestrator.orchestrator.urls import ORCHESTRATOR_ROUTES


def orchestrator_transport(cloud: MockCloud) -> httpx.MockTransport:
    if ORCHESTRATOR_ROUTES:
        return cloud.transport()
    return httpx.MockTransport(_Fake(cloud).handle)


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


class _Fake:
    def __init__(self, cloud: MockCloud) -> None:
        self.cloud = cloud
        self.jobs: dict[int, dict[str, Any]] = {}
        self.next_id = 1000

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        if "/odata/" not in path:
            return self.cloud.handle(request)
        from mock_orchestrator.core.journal import Exchange

        label = self._label(request, path)
        fault = self.cloud.faults.pick(label, request.method, path)
        response = None
        if fault is not None:
            try:
                response = self.cloud._apply_fault(fault, request)
            except httpx.TransportError:
                self.cloud.journal.record(
                    Exchange(
                        seq=self.cloud.journal.next_seq(),
                        at=self.cloud.clock.time(),
                        request=request,
                        response=None,
                        route=label,
                        site="cloud",
                    )
                )
                raise
        if response is None:
            response = self._serve(request, path)
        self.cloud.journal.record(
            Exchange(
                seq=self.cloud.journal.next_seq(),
                at=self.cloud.clock.time(),
                request=request,
                response=response,
                route=self._label(request, path),
                site="cloud",
            )
        )
        return response

    def _label(self, request: httpx.Request, path: str) -> str:
        if "StartJobs" in path:
            return "orchestrator.start_jobs"
        if re.search(r"Jobs\(\d+\)$", path):
            return "orchestrator.get_job"
        if path.endswith("/Jobs"):
            return "orchestrator.list_jobs"
        return "orchestrator.other"

    def _serve(self, request: httpx.Request, path: str) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        record = self.cloud.identity.tokens.get(token)
        now = self.cloud.clock.time()
        if record is None or record.kind == "id" or record.revoked or now >= record.expires_at:
            return _json(401, {"message": "You are not authenticated!", "errorCode": 0})
        d = self.cloud.defaults
        flt = unquote(request.url.params.get("$filter", ""))
        if path.endswith("/odata/Folders"):
            return _json(
                200,
                {
                    "value": [
                        {
                            "Id": d.folder_id,
                            "Key": d.folder_key,
                            "FullyQualifiedName": d.folder,
                            "DisplayName": d.folder,
                        }
                    ]
                },
            )
        folder = (
            request.headers.get("x-uipath-folderpath")
            or request.headers.get("x-uipath-folderpath-encoded")
            or request.headers.get("x-uipath-organizationunitid")
        )
        if not folder:
            return _json(
                400,
                {"message": "An organization unit is required for this action.", "errorCode": 1101},
            )
        if path.endswith("/odata/Releases"):
            value = [
                {
                    "Id": d.release_id,
                    "Key": d.release_key,
                    "Name": d.process,
                    "ProcessKey": d.process,
                    "ProcessVersion": "1.0.3",
                }
            ]
            return _json(200, {"value": value if d.process in flt or not flt else []})
        if "StartJobs" in path:
            info = json.loads(request.content)["startInfo"]
            assert isinstance(info["InputArguments"], str)
            self.next_id += 1
            job = {
                "Id": self.next_id,
                "Key": self.cloud.ids.guid(),
                "State": "Pending",
                "Reference": info.get("Reference"),
                "_at": now,
            }
            self.jobs[job["Id"]] = job
            return _json(201, {"value": [self._view(job)]})
        m = re.search(r"Jobs\((\d+)\)$", path)
        if m:
            job = self.jobs.get(int(m.group(1)))
            return (
                _json(200, self._view(job))
                if job
                else _json(404, {"errorCode": 1002, "message": "Job does not exist."})
            )
        m = re.search(r"GetByKey\(identifier=([^)]+)\)", path)
        if m:
            for job in self.jobs.values():
                if job["Key"] == m.group(1):
                    return _json(200, self._view(job))
            return _json(404, {"errorCode": 1002, "message": "Job does not exist."})
        if path.endswith("/odata/Jobs"):
            ref = re.search(r"Reference eq '([^']*)'", flt)
            found = [
                self._view(j) for j in self.jobs.values() if ref and j["Reference"] == ref.group(1)
            ]
            return _json(200, {"value": found})
        if "StopJobs" in path:
            for jid in json.loads(request.content)["jobIds"]:
                self.jobs[jid]["State"] = "Stopped"
            return httpx.Response(200)
        if "AddQueueItem" in path:
            item = json.loads(request.content)["itemData"]
            return _json(
                201,
                {
                    "Id": 1,
                    "Key": self.cloud.ids.guid(),
                    "Status": "New",
                    "Reference": item.get("Reference"),
                    "SpecificContent": item["SpecificContent"],
                },
            )
        return httpx.Response(404)

    def _view(self, job: dict[str, Any]) -> dict[str, Any]:
        age = self.cloud.clock.time() - job["_at"]
        state = job["State"]
        if state == "Pending":
            state = "Pending" if age < 5 else "Running" if age < 35 else "Successful"
        return {k: v for k, v in job.items() if not k.startswith("_")} | {"State": state}
