"""A stand-in for ``curl``, for the README walkthrough's test on a machine without curl.

It understands exactly the options the walkthrough uses (``-s``, ``-d``, ``--json``, ``-H``,
``-o``, ``-w '%{http_code}'``, ``-X``) and answers as curl does: the body on stdout (or in the
``-o`` file), then the ``-w`` text; exit 0 whatever the HTTP status (no ``-f``). The test runs
the walkthrough with it even where curl exists, so it never rots unnoticed.
"""

from __future__ import annotations

import sys

import httpx


def main(argv: list[str]) -> int:
    method, url = None, None
    form: list[str] = []
    body: bytes | None = None
    headers: dict[str, str] = {}
    output, write_out = None, ""
    args = iter(argv)
    for arg in args:
        if arg == "-s":
            continue
        elif arg == "-d":
            form.append(next(args))
        elif arg == "--json":
            body = next(args).encode()
            headers.setdefault("Content-Type", "application/json")
            headers.setdefault("Accept", "application/json")
        elif arg == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-o":
            output = next(args)
        elif arg == "-w":
            write_out = next(args)
        elif arg == "-X":
            method = next(args)
        elif arg.startswith("-"):
            print(f"curl stand-in: option {arg} is not understood", file=sys.stderr)
            return 2
        else:
            url = arg
    if url is None:
        print("curl stand-in: no URL", file=sys.stderr)
        return 2
    if form:
        body = "&".join(form).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    method = method or ("POST" if body is not None else "GET")
    response = httpx.request(method, url, content=body, headers=headers, timeout=30)
    if output is None:
        sys.stdout.buffer.write(response.content)
    elif output != "/dev/null":
        with open(output, "wb") as fh:
            fh.write(response.content)
    text = write_out.replace("%{http_code}", str(response.status_code)).replace("\\n", "\n")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
