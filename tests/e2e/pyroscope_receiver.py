#!/usr/bin/env python3
# A loopback stand-in for Grafana Pyroscope's ingest endpoint, for push tests.
# It checks each request against the documented API (POST /ingest, query
# parameters name/from/until/sampleRate/spyName/format, the multipart field
# "profile", X-Scope-OrgID and Authorization when expected), saves each
# profile as OUT/N.pb.gz and logs one line per request to OUT/requests.log:
#   ok N name=... from=F until=U sampleRate=R   or   bad N <why>
# Usage: pyroscope_receiver.py OUTDIR PORTFILE [--tenant T] [--token T]
#        [--basic USER:PASS] [--fail N]  (the first N requests get HTTP 503)
import base64, email.parser, email.policy, http.server, os, re, sys, urllib.parse

out, portfile = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
opt = {args[i]: args[i + 1] for i in range(0, len(args), 2)}
state = {"n": 0, "fail": int(opt.get("--fail", "0"))}
NAME = re.compile(r"^[A-Za-z0-9._-]+\{([A-Za-z0-9_]+=[A-Za-z0-9._/:-]*)(,[A-Za-z0-9_]+=[A-Za-z0-9._/:-]*)*\}$")


def check(h):
    u = urllib.parse.urlsplit(h.path)
    if h.command != "POST" or u.path != "/ingest":
        return "not POST /ingest: %s %s" % (h.command, u.path), None
    q = urllib.parse.parse_qs(u.query, strict_parsing=True)
    for k in ("name", "from", "until", "sampleRate", "spyName", "format"):
        if len(q.get(k, [])) != 1:
            return "query parameter %s missing or repeated" % k, None
    q = {k: v[0] for k, v in q.items()}
    if not NAME.match(q["name"]):
        return "bad name %r" % q["name"], None
    if not (q["from"].isdigit() and q["until"].isdigit() and int(q["until"]) > int(q["from"])):
        return "bad from/until %s/%s" % (q["from"], q["until"]), None
    if not q["sampleRate"].isdigit() or q["spyName"] != "flametop" or q["format"] != "pprof":
        return "bad sampleRate/spyName/format", None
    if "--tenant" in opt and h.headers.get("X-Scope-OrgID") != opt["--tenant"]:
        return "X-Scope-OrgID %r" % h.headers.get("X-Scope-OrgID"), None
    auth = h.headers.get("Authorization")
    if "--token" in opt and auth != "Bearer " + opt["--token"]:
        return "Authorization %r" % auth, None
    if "--basic" in opt and auth != "Basic " + base64.b64encode(opt["--basic"].encode()).decode():
        return "Authorization %r" % auth, None
    ctype = h.headers.get("Content-Type", "")
    if not ctype.startswith("multipart/form-data; boundary="):
        return "Content-Type %r" % ctype, None
    body = h.rfile.read(int(h.headers["Content-Length"]))
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    parts = [p for p in msg.iter_parts() if p.get_param("name", header="content-disposition") == "profile"]
    if len(parts) != 1:
        return "no multipart field 'profile'", None
    data = parts[0].get_payload(decode=True)
    if data[:2] != b"\x1f\x8b":
        return "profile is not gzipped", None
    return None, (q, data)


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        state["n"] += 1
        n = state["n"]
        why, got = check(self)
        with open(os.path.join(out, "requests.log"), "a") as log:
            if why:
                log.write("bad %d %s\n" % (n, why))
            elif state["fail"] > 0:
                state["fail"] -= 1
                log.write("fail %d\n" % n)
            else:
                q, data = got
                with open(os.path.join(out, "%d.pb.gz" % n), "wb") as f:
                    f.write(data)
                log.write("ok %d name=%s from=%s until=%s sampleRate=%s\n" %
                          (n, q["name"], q["from"], q["until"], q["sampleRate"]))
        code = 400 if why else 503 if got and os.path.exists(os.path.join(out, "%d.pb.gz" % n)) is False else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
