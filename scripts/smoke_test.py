"""Submit the seed's number-partitioning job to a deployed qjobs and wait for its result.

    python scripts/smoke_test.py --url https://<gateway>/api --header "Ocp-Apim-Subscription-Key: K"

Follows the contract as a caller would: POST /jobs (202 + Location), poll the Location
honouring Retry-After until 200, read the result link, check the optimum (difference 1).
Standard library only, so the deploy workflow runs it without installing anything.
Exit code 0 on success, 1 with a one-line reason otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SEED_JOB = {"kind": "number_partitioning", "weights": [5, 11, 8, 7, 1, 1], "name": "smoke-test"}


class SmokeTestFailed(RuntimeError):
    pass


def call(
    method: str, url: str, headers: dict[str, str], body: dict | None = None
) -> tuple[int, dict[str, str], dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, answer_headers, text = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, text = error.code, dict(error.headers), error.read()
    document = json.loads(text) if text else {}
    return status, {k.lower(): v for k, v in answer_headers.items()}, document


def run(base_url: str, headers: dict[str, str], timeout: float) -> dict:
    """The seed job's result document; SmokeTestFailed with the reason otherwise."""
    status, answer_headers, document = call("POST", f"{base_url}/jobs", headers, SEED_JOB)
    if status != 202 or "location" not in answer_headers:
        raise SmokeTestFailed(f"POST /jobs answered {status}: {document}")
    status_url = urllib.parse.urljoin(base_url + "/", answer_headers["location"])
    if urllib.parse.urlsplit(status_url).netloc != urllib.parse.urlsplit(base_url).netloc:
        raise SmokeTestFailed(f"Location points away from the gateway: {status_url}")
    deadline = time.monotonic() + timeout
    while status != 200:
        if time.monotonic() > deadline:
            raise SmokeTestFailed(f"job {document.get('id')} not final within {timeout:g} s")
        time.sleep(min(float(answer_headers.get("retry-after", "1")), 5.0))
        status, answer_headers, document = call("GET", status_url, headers)
        if status not in (200, 202):
            raise SmokeTestFailed(f"status answered {status}: {document}")
    if document.get("status") != "succeeded":
        raise SmokeTestFailed(f"job ended {document.get('status')}: {document.get('error')}")
    result_url = urllib.parse.urljoin(base_url + "/", document["links"]["result"])
    status, _, result = call("GET", result_url, headers)
    if status != 200 or result.get("result", {}).get("difference") != 1:
        raise SmokeTestFailed(f"result answered {status}: {result}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the API's base URL, ending in /api")
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the job")
    args = parser.parse_args(argv)
    headers = {}
    for header in args.header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    try:
        result = run(args.url.rstrip("/"), headers, args.timeout)
    except (SmokeTestFailed, OSError, ValueError) as error:
        print(f"smoke test failed: {error}", file=sys.stderr)
        return 1
    print(f"smoke test passed: job {result['id']} difference {result['result']['difference']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
