#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The browser's part of a sign-in, over HTTP, for 80-oidc.sh; and an
identity provider that lies, to check the portal's refusals end to end.

    signin.py browse CAFILE URL LOGIN [--expect-page TEXT] [--stop-at RE]
                     [--provider NAME] [--replay]
        Follows URL as a browser would (one cookie jar, every redirect by
        hand): the portal's chooser (the first provider link), the
        oidc-provider's login and consent (as LOGIN), the portal's
        callback, the client's loopback listener, the signed-in page.
        Prints every URL visited ("# GET ...") with secrets cut, and
        "page: TITLE" for the last page; exit 0 when the last page's
        title is TEXT (default "Signed in"). --stop-at RE stops before
        fetching a URL that matches RE and prints it ("stopped: URL").
        --provider NAME follows the link "Sign in with NAME"; --replay
        fetches the provider's callback URL once more at the end, which
        must be refused (400, "Wrong state").
    signin.py email CAFILE URL ADDRESS [ACTION...]
        The email pages over HTTP: asks for a code for ADDRESS, then
        code:VALUE, code-from:FILE, sleep:S or resend; one line a page.
    signin.py join WSS_URL CAFILE TOKEN_FILE
        Exit 0 when the token in the file joins /client/websocket.
    signin.py evil-idp PORT_FILE
        Serves an OpenID provider on 127.0.0.1 whose id_token depends on
        the login name given to /auth as login_hint: good, none (alg
        none), hs256 (HS256 keyed with its RSA public key), otherkey
        (signed by a key not in its JWKS), expired, wrongnonce, wrongaud,
        wrongiss. Writes its port to PORT_FILE.
"""
import base64
import html
import http.cookiejar
import http.server
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


def cut(url):
    """A URL fit for a log: fragment, code, nonce and state shortened."""
    return re.sub(r"((?:fragment|code|nonce|state|code_challenge)=)([^&]{6})[^&]*",
                  r"\1\2...", url)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, cafile):
        self.jar = http.cookiejar.CookieJar()
        ctx = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=ctx), NoRedirect())

    def fetch(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data else None
        req = urllib.request.Request(url, data=body)
        print("# %s %s" % ("POST" if body else "GET", cut(url)), flush=True)
        try:
            r = self.opener.open(req, timeout=30)
            return r.status, r.headers, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8", "replace")


def title(page):
    m = re.search(r"<h1>(.*?)</h1>", page, re.S)
    if not m:
        m = re.search(r"<title>(.*?)</title>", page, re.S)
    return html.unescape(m.group(1)).strip() if m else ""


def browse(cafile, url, login, expect="Signed in", stop_at=None,
           provider=None, replay=False):
    b = Browser(cafile)
    callback = None
    interactions = 0
    for _ in range(30):
        if stop_at and re.search(stop_at, url):
            print("stopped: " + url, flush=True)
            return 0
        if re.search(r"/auth\?", url) and "login_hint=" not in url:
            url += "&login_hint=" + urllib.parse.quote(login)
        if "/auth/oidc/callback?" in url:
            callback = url
        status, headers, page = b.fetch(url)
        if status in (302, 303):
            url = urllib.parse.urljoin(url, headers["Location"])
            continue
        m = re.search(r"/interaction/([^/?#]+)$", url)
        if status == 200 and m:
            # oidc-provider's login, then its consent (notes: 6 steps).
            form = {"prompt": "login", "login": login, "password": "x"}
            if interactions:
                form = {"prompt": "consent"}
            interactions += 1
            status, headers, page = b.fetch(url, form)
            if status in (302, 303):
                url = urllib.parse.urljoin(url, headers["Location"])
                continue
        links = re.findall(r'href="(/[^"/]+/sign_in/oidc/[^"]+)">Sign in with '
                           r'([^<]*)<', page)
        links = [h for h, name in links
                 if provider is None or html.unescape(name) == provider]
        if status == 200 and links and "/sign_in?" in url:
            url = urllib.parse.urljoin(url, html.unescape(links[0]))
            continue
        t = title(page)
        print("page: %s (%d)" % (t, status), flush=True)
        err = re.search(r'<p id="error">(.*?)</p>', page, re.S)
        if err:
            print("error: " + html.unescape(err.group(1)), flush=True)
        if replay and callback:
            status, headers, page = b.fetch(callback)
            print("replay: %s (%d)" % (title(page), status), flush=True)
            if title(page) != "Wrong state" or status != 400:
                return 1
        return 0 if t == expect else 1
    print("too many redirects", flush=True)
    return 1


def email_flow(cafile, url, address, actions):
    """The email pages without a browser: start at url (a sign-in link),
    ask for a code for address, then each action: code:VALUE,
    code-from:FILE (waits for FILE, up to 30 s), sleep:S, resend, follow
    (the last page's redirects, as a browser follows them: to the
    agent's loopback listener and back). Prints one line per page:
    "ACTION -> STATUS TITLE | NOTICE | LOCATION"."""
    b = Browser(cafile)
    status, headers, page = b.fetch(url)
    slug = urllib.parse.urlparse(url).path.split("/")[1]
    base = url.split("/" + slug + "/")[0]

    def csrf(p):
        m = re.search(r'name="csrf" value="([^"]+)"', p)
        return m.group(1) if m else ""

    def show(what, status, headers, p):
        notice = re.search(r'<p class="notice" id="notice">(.*?)</p>', p, re.S)
        err = re.search(r'<p id="error">(.*?)</p>', p, re.S)
        loc = headers.get("Location") or ""
        print("%s -> %d %s | %s | %s" % (
            what, status, title(p),
            html.unescape((notice or err).group(1)) if (notice or err) else "",
            cut(loc)), flush=True)

    token = csrf(page)
    show("start", status, headers, page)

    def send():
        nonlocal last
        last = base + "/" + slug + "/sign_in/email"
        return b.fetch(last, {"csrf": token, "email": address})

    last = url
    status, headers, page = send()
    show("send", status, headers, page)
    for act in actions:
        kind, _, arg = act.partition(":")
        if kind == "sleep":
            time.sleep(float(arg))
            continue
        if kind == "resend":
            status, headers, page = send()
            show(act, status, headers, page)
            continue
        if kind == "follow":
            for _ in range(10):
                loc = headers.get("Location")
                if status not in (302, 303) or not loc:
                    break
                last = urllib.parse.urljoin(last, loc)
                status, headers, page = b.fetch(last)
                show(act, status, headers, page)
            if title(page) != "Signed in":
                return 1
            continue
        if kind == "code-from":
            end = time.time() + 30
            while time.time() < end and not (os.path.exists(arg) and
                                              os.path.getsize(arg)):
                time.sleep(0.1)
            arg = open(arg).read().strip() if os.path.exists(arg) else ""
        last = base + "/" + slug + "/sign_in/email/verify"
        status, headers, page = b.fetch(last, {"csrf": token, "code": arg})
        show(kind, status, headers, page)
    return 0


def join(base, cafile, token_file):
    """Exit 0 when the token in token_file joins the client socket."""
    import asyncio
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sigclient

    token = open(token_file).read().strip()

    async def run():
        peer = await sigclient.Peer(base, cafile, "client", token).open()
        reply, init = await peer.join()
        await peer.close()
        ok = bool(reply and reply["payload"]["status"] == "ok" and init)
        print("join: %s" % ("ok" if ok else reply), flush=True)
        return 0 if ok else 1

    return asyncio.run(run())


# --- a provider that lies

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def evil_idp(port_file):
    from cryptography.hazmat.primitives import hashes, hmac, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = key.public_key()
    nums = pub.public_numbers()

    def int_b64(n):
        return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    jwk = {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
           "n": int_b64(nums.n), "e": int_b64(nums.e)}
    pem = pub.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    codes = {}
    state = {}

    def jwt(mode, claims):
        alg = {"none": "none", "hs256": "HS256"}.get(mode, "RS256")
        head = {"alg": alg, "typ": "JWT", "kid": "k1"}
        signing = (b64(json.dumps(head).encode()) + "." +
                   b64(json.dumps(claims).encode())).encode()
        if alg == "none":
            sig = b""
        elif alg == "HS256":
            h = hmac.HMAC(pem, hashes.SHA256())
            h.update(signing)
            sig = h.finalize()
        else:
            k = other if mode == "otherkey" else key
            sig = k.sign(signing, padding.PKCS1v15(), hashes.SHA256())
        return signing.decode() + "." + b64(sig)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send_json(self, obj, status=200):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            if u.path == "/.well-known/openid-configuration":
                return self.send_json({
                    "issuer": state["issuer"],
                    "authorization_endpoint": state["issuer"] + "/auth",
                    "token_endpoint": state["issuer"] + "/token",
                    "jwks_uri": state["issuer"] + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"]})
            if u.path == "/jwks":
                return self.send_json({"keys": [jwk]})
            if u.path == "/auth":
                code = b64(os.urandom(16))
                codes[code] = (q.get("login_hint", "good"), q.get("nonce"),
                               q.get("client_id"))
                loc = q["redirect_uri"] + "?" + urllib.parse.urlencode(
                    {"code": code, "state": q.get("state", "")})
                self.send_response(303)
                self.send_header("Location", loc)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_json({"error": "not_found"}, 404)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
            if self.path != "/token" or form.get("code") not in codes:
                return self.send_json({"error": "invalid_grant",
                                       "error_description": "unknown code"},
                                      400)
            mode, nonce, client = codes.pop(form["code"])
            now = int(time.time())
            claims = {"iss": state["issuer"], "sub": "evil-" + mode,
                      "aud": client, "iat": now, "exp": now + 300,
                      "nonce": nonce, "email": "alice@example.test",
                      "email_verified": True}
            if mode == "expired":
                claims.update(iat=now - 7200, exp=now - 3600)
            elif mode == "wrongnonce":
                claims["nonce"] = b64(os.urandom(32))
            elif mode == "wrongaud":
                claims["aud"] = "someone-else"
            elif mode == "wrongiss":
                claims["iss"] = "http://127.0.0.1:1"
            self.send_json({"access_token": "x", "token_type": "Bearer",
                            "expires_in": 300, "id_token": jwt(mode, claims)})

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    state["issuer"] = "http://127.0.0.1:%d" % srv.server_address[1]
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


def main(argv):
    if len(argv) >= 4 and argv[1] == "browse":
        expect, stop_at, provider, replay = "Signed in", None, None, False
        rest = argv[5:]
        while rest:
            if rest[0] == "--expect-page":
                expect, rest = rest[1], rest[2:]
            elif rest[0] == "--provider":
                provider, rest = rest[1], rest[2:]
            elif rest[0] == "--replay":
                replay, rest = True, rest[1:]
            elif rest[0] == "--stop-at":
                stop_at, rest = rest[1], rest[2:]
            else:
                break
        return browse(argv[2], argv[3], argv[4], expect, stop_at, provider,
                      replay)
    if len(argv) >= 5 and argv[1] == "email":
        return email_flow(argv[2], argv[3], argv[4], argv[5:])
    if len(argv) == 5 and argv[1] == "join":
        return join(argv[2], argv[3], argv[4])
    if len(argv) == 3 and argv[1] == "evil-idp":
        evil_idp(argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    threading.excepthook = lambda a: None
    sys.exit(main(sys.argv))
