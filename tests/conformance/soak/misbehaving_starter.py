"""``examples/cron/start_job.py`` with one habit broken, chosen by ``argv[1]``: each soak rule
must notice its own (tests/conformance/soak/test_soak_rules.py)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "cron"))

import start_job  # the correct starter

MODE = sys.argv[1]


def main() -> int:
    if MODE == "no-job":
        start_job.access_token()
        print("nothing to do today")
        return 0
    if MODE == "two-jobs":
        token = start_job.access_token()
        start_job.start_job(token)
        start_job.start_job(token)
        return 0
    if MODE == "prints-token":
        token = start_job.access_token()
        print(f"debug: using token {token}")
        start_job.start_job(token)
        return 0
    if MODE == "caches-token":  # keeps day one's access token forever, never refreshes
        cache = Path(os.environ["UIPATH_TOKEN_STORE"] + ".access")
        if not cache.exists():
            cache.write_text(json.dumps({"access_token": start_job.access_token()}))
        try:
            start_job.start_job(json.loads(cache.read_text())["access_token"])
        except start_job.Failed as why:
            print(f"start_job: {why}", file=sys.stderr)
            return 1
        return 0
    if MODE == "no-folder":
        token = start_job.access_token()
        import urllib.request

        request = urllib.request.Request(
            start_job.orchestrator_url()
            + "/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs",
            data=json.dumps(
                {"startInfo": {"ReleaseName": os.environ["UIPATH_PROCESS"], "JobsCount": 1}}
            ).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except OSError:
            return 1
        return 0
    if MODE == "blind-retry":  # resends StartJobs when the answer is lost: a second job
        token = start_job.access_token()
        start_job.find_by_reference = lambda reference, headers: None  # never looks
        start_job.start_job(token)
        return 0
    if MODE == "ignores-retry-after":  # retries a 429 at once
        start_job.time.sleep = lambda seconds: None
        return start_job.main()
    if MODE == "display-name":  # addresses the tenant by the name the portal shows
        logical, display = os.environ["UIPATH_TENANT"], os.environ["UIPATH_TENANT_DISPLAY_NAME"]
        os.environ["UIPATH_URL"] = os.environ["UIPATH_URL"].replace(f"/{logical}", f"/{display}")
        return start_job.main()
    if MODE == "id-token":  # legacy: sends the id_token where the access token belongs
        body, headers = start_job.as_json(
            {
                "grant_type": "refresh_token",
                "client_id": os.environ["UIPATH_CLIENT_ID"],
                "refresh_token": os.environ["UIPATH_USER_KEY"],
            }
        )
        answer = start_job.token_request(os.environ["UIPATH_LEGACY_TOKEN_URL"], body, headers)
        try:
            start_job.start_job(answer["id_token"])
        except start_job.Failed:
            return 1
        return 0
    if MODE == "wrong-user-key":  # legacy: presents something else than the User Key
        os.environ["UIPATH_USER_KEY"] = os.environ["UIPATH_USER_KEY"][::-1]
        return start_job.main()
    if MODE == "password-on-cloud":
        os.environ["UIPATH_PROFILE"] = "onprem"  # pretends, and sends the password to the cloud
        return start_job.main()
    if MODE == "hangs":  # until the soak's --timeout kills its process group
        import threading

        threading.Event().wait(60)
    return 2


if __name__ == "__main__":
    sys.exit(main())
