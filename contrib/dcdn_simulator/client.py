"""python3 -m dcdn_simulator.client: one signed call (signature V1) to the
simulator or any DCDN endpoint (CDN's or ESA's with --product), for trying a
deploy pipeline's purges in the sandbox and for the demo.

  PYTHONPATH=contrib python3 -B -m dcdn_simulator.client \\
      --endpoint http://127.0.0.1:PORT --credentials ID:SECRET \\
      RefreshDcdnObjectCaches ObjectPath=http://www.example.com/index.html

  ... --product esa PurgeCaches SiteId=1200000000001 Type=file \\
      'Content={"Files": ["http://www.example.net/a.js"]}'

Prints the answer's JSON on stdout; exit 0 on success, 1 when the answer is
an error (it has a Code), 2 on bad arguments or no answer."""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

from .products import DCDN, PRODUCTS
from .signing import percent_encode, v1_signature, v1_string_to_sign

API_VERSION = DCDN.version
VERSIONS = {p.name: version for version, p in PRODUCTS.items()}     # --product -> Version


def signed_query(action: str, params: dict, key_id: str, secret: str, version: str = API_VERSION) -> str:
    """The query string of a V1-signed POST: common parameters, the action's own, Signature."""
    query = {"Action": action, "Version": version, "Format": "JSON", "AccessKeyId": key_id,
             "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
             "SignatureNonce": uuid.uuid4().hex,
             "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **params}
    query["Signature"] = v1_signature(secret, v1_string_to_sign("POST", query))
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in query.items())


def call(endpoint: str, key_id: str, secret: str, action: str, params: dict,
         timeout: float = 10, version: str = API_VERSION) -> dict:
    """One call; returns the answer's JSON, error answers included."""
    url = endpoint.rstrip("/") + "/?" + signed_query(action, params, key_id, secret, version)
    request = urllib.request.Request(url, data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return json.loads(err.read())


def parse_param(text: str):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {text!r}")
    # A literal "\n" separates paths, as in the API's ObjectPath.
    return name, value.replace("\\n", "\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m dcdn_simulator.client", description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True, help="http(s)://host:port of the simulator")
    p.add_argument("--credentials", required=True, metavar="ID:SECRET")
    p.add_argument("--product", choices=tuple(VERSIONS), default="dcdn",
                   help="the product whose API version the call names (default dcdn)")
    p.add_argument("action", help="e.g. RefreshDcdnObjectCaches, PreloadDcdnObjectCaches")
    p.add_argument("params", nargs="*", type=parse_param, metavar="NAME=VALUE")
    args = p.parse_args(argv)
    key_id, sep, secret = args.credentials.partition(":")
    if not sep:
        p.error("--credentials must be ID:SECRET")
    try:
        answer = call(args.endpoint, key_id, secret, args.action, dict(args.params),
                      version=VERSIONS[args.product])
    except (OSError, ValueError) as err:
        print(f"dcdn_simulator.client: {args.endpoint}: {err}", file=sys.stderr)
        return 2
    print(json.dumps(answer))
    return 1 if "Code" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
