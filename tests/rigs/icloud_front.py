"""An iCloud-shaped CalDAV front before the Radicale rig, built from recorded and reported iCloud behaviour.

Two loopback listeners stand for `caldav.icloud.com` (the gateway, `.url`) and the account's
`pNN-caldav.icloud.com` partition host (where the calendar home lives); both serve everything.
The front maps iCloud's paths onto Radicale's and back:

    /<dsid>/principal/              synthesized (Radicale has no such resource)
    /<dsid>/calendars/              → /<email>/            (the calendar home)
    /<dsid>/calendars/inbox/ …      synthesized (inbox, outbox, notification)
    /<dsid>/calendars/<cal>/<file>  → /<email>/<cal>/<file>

and reshapes every answer the way iCloud writes it: opaque base64 sync tokens, 8-character base-36
etags, `#RRGGBBAA` colours, `xmlns` repeated on every element, the collection itself listed in
sync reports and range-less calendar queries, 201/204 writes with empty bodies, the one-UID rule,
and a 401 with two `WWW-Authenticate` headers. The evidence for each is in docs/icloud.md
(entry numbers refer to ../shared/icloud-recordings/caldav-2021-11.json).

Faults on demand: `fail_next()`, `truncate_next()`, `delay_next()`.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import re
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from tests.rigs.quiet import QuietHandler
from tests.rigs.radicale_rig import RadicaleRig, SeenRequest

DAV = "DAV:"
CAL = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# entry 21: the 503 body is cut off after the opening tag
TRUNCATED_MULTISTATUS = (XML_HEAD + '<multistatus xmlns="DAV:">\n\n').encode()
REMINDERS_NAMESPACE = uuid.UUID("6f1c1d7e-3f3b-4c55-9a8e-1c0ffee0cafe")
SYNTHETIC = ("inbox", "outbox", "notification")


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


@dataclass
class Fault:
    kind: str  # "fail", "truncate" or "delay"
    method: str | None
    path_contains: str | None
    times: int
    status: int = 503
    retry_after: int | None = 120
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_contains is None or self.path_contains in path
        )


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def serialize(element: etree._Element) -> bytes:
    """iCloud's XML style: no prefixes, `xmlns` on every element, single quotes on `comp` (entry 14)."""
    return (XML_HEAD + _serialize(element) + "\n").encode()


def _serialize(el: etree._Element) -> str:
    ns, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
    q = "'" if local == "comp" else '"'
    attrs = "".join(f" {k}={q}{escape(v)}{q}" for k, v in el.attrib.items() if not k.startswith("{"))
    xmlns = f" xmlns={q}{ns}{q}" if ns else ""
    children = "".join(_serialize(child) for child in el)
    text = el.text or ""
    if local == "calendar-data" and ns == CAL and text:
        body = "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    else:
        body = escape(text) + children
    if not body:
        return f"<{local}{attrs}{xmlns}/>"
    return f"<{local}{attrs}{xmlns}>{body}</{local}>"


def _sub(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, _tag(ns, name))
    el.text = text
    return el


class IcloudFront:
    """The iCloud shape with the RadicaleRig's public interface (see tests/conftest.py)."""

    def __init__(self, rig: RadicaleRig):
        self.rig = rig
        self.lock = threading.Lock()
        self.seen: list[SeenRequest] = []
        self.faults: list[Fault] = []
        self.dsids: dict[str, str] = {}  # e-mail → dsid
        self.emails: dict[str, str] = {}  # dsid → e-mail
        self._tokens: dict[str, str] = {}  # our sync token → Radicale's
        self._etags: dict[str, str] = {}  # our etag → Radicale's
        # Radicale path → (Radicale etag, the bytes as PUT): iCloud hands back exactly what was PUT
        # (entry 48), and it keeps data Radicale refuses (a duplicate DTSTAMP), so the front does too.
        self._verbatim: dict[str, tuple[str, str]] = {}
        # switches for behaviours iCloud shows in more than one form
        self.auth_headers_basic_first = True
        self.invalid_token_names_precondition = True
        self.list_collection_in_sync = True
        # The partition host must differ from the gateway by host name, not only by port, as on iCloud:
        # caldav keeps the old host as an alias by name. Linux answers on all of 127/8.
        self.hosts = ["127.0.0.1", _second_loopback()]
        self.ports = [0, 0]
        self._servers: list = []
        self.start()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        for i in range(2):
            server = make_server(self.hosts[i], self.ports[i], self, threaded=True, request_handler=QuietHandler)
            self.ports[i] = server.server_port
            # a short poll keeps stop() quick (two listeners, each up to one poll interval)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)

    def stop(self) -> None:
        """Both hosts go away (Radicale behind them keeps running)."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    @property
    def url(self) -> str:
        """The gateway, standing for https://caldav.icloud.com/."""
        return f"http://127.0.0.1:{self.ports[0]}/"

    @property
    def partition_origin(self) -> str:
        """The partition host, standing for https://pNN-caldav.icloud.com:443 (explicit port, entry 2)."""
        return f"http://{self.hosts[1]}:{self.ports[1]}"

    @property
    def allowed_hosts(self) -> str:
        """CALDAV_ALLOWED_HOSTS for this front: its partition host, as `*.icloud.com` admits iCloud's.

        Only this origin (scheme, host and port): another listener on the same loopback address is not
        admitted, and the default `*.icloud.com` stays in force beside it.
        """
        return f"*.icloud.com {self.partition_origin}"

    # --- counting ---------------------------------------------------------------------------
    def reset_counts(self) -> None:
        with self.lock:
            self.seen.clear()

    @property
    def request_count(self) -> int:
        with self.lock:
            return len(self.seen)

    # --- faults -----------------------------------------------------------------------------
    def fail_next(self, method: str | None = None, path_contains: str | None = None, status: int = 503,
                  retry_after: int | None = 120, times: int = 1) -> None:
        """The next matching request(s) answer `status` (with Retry-After) and a cut-off body (entry 21)."""
        with self.lock:
            self.faults.append(Fault("fail", method, path_contains, times, status=status, retry_after=retry_after))

    def truncate_next(self, method: str | None = None, path_contains: str | None = None, times: int = 1) -> None:
        """The next matching answer keeps its status but loses the second half of its body."""
        with self.lock:
            self.faults.append(Fault("truncate", method, path_contains, times))

    def delay_next(self, seconds: float, method: str | None = None, path_contains: str | None = None,
                   times: int = 1) -> None:
        """The next matching request waits `seconds` before it is answered (past a client timeout)."""
        with self.lock:
            self.faults.append(Fault("delay", method, path_contains, times, seconds=seconds))

    def _take_faults(self, method: str, path: str) -> list[Fault]:
        taken: list[Fault] = []
        with self.lock:
            for fault in list(self.faults):
                if fault.matches(method, path) and fault.kind not in {f.kind for f in taken}:
                    taken.append(fault)
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
        return taken

    # --- the rig's set-up interface -----------------------------------------------------------
    def add_user(self, username: str, password: str) -> None:
        """An iCloud account: a numeric dsid, and a tasks-only Reminders list as every account has."""
        self.rig.add_user(username, password)
        if username in self.dsids:
            return
        dsid = str(17_300_000_000 + 7_919 * (len(self.dsids) + 1))
        self.dsids[username] = dsid
        self.emails[dsid] = username
        reminders = str(uuid.uuid5(REMINDERS_NAMESPACE, username)).upper()
        self.rig.make_calendar(username, reminders, name="Reminders", color="#B14BC9", components=("VTODO",))

    def calendar_path(self, username: str, calendar_id: str) -> str:
        return f"/{self.dsids[username]}/calendars/{calendar_id}/"

    def calendar_url(self, username: str, calendar_id: str) -> str:
        """As the home listing gives it: a path on the partition host, joined to that host."""
        return self.partition_origin + self.calendar_path(username, calendar_id)

    def home_url(self, username: str) -> str:
        return f"{self.partition_origin}/{self.dsids[username]}/calendars/"

    def make_calendar(self, username: str, calendar_id: str, name: str | None = None,
                      color: str | None = None, components: tuple[str, ...] = ("VEVENT",)) -> str:
        self.rig.make_calendar(username, calendar_id, name=name, color=color, components=components)
        return self.calendar_url(username, calendar_id)

    def put_event(self, username: str, calendar_id: str, filename: str, ics: str) -> str:
        text = ics.replace("\r\n", "\n").replace("\n", "\r\n")
        etag = self.rig.put_event(username, calendar_id, filename, acceptable_to_radicale(text))
        self._remember(f"/{username}/{calendar_id}/{filename}", etag, text)
        return self._our_etag(etag)

    def delete_event(self, username: str, calendar_id: str, filename: str, missing_ok: bool = False) -> None:
        self.rig.delete_event(username, calendar_id, filename, missing_ok)
        self._remember(f"/{username}/{calendar_id}/{filename}", None, None)

    def raw(self, username: str, method: str, path: str, body: bytes | str = b"",
            headers: dict[str, str] | None = None):
        """The rig's uncounted request straight to Radicale (a Radicale path), for set-up only."""
        if method.upper() in ("PUT", "DELETE"):
            self._remember(path, None, None)
        return self.rig.raw(username, method, path, body, headers)

    def _remember(self, radicale_path: str, etag: str | None, text: str | None) -> None:
        radicale_path = unquote(radicale_path)
        with self.lock:
            if etag and text is not None:
                self._verbatim[radicale_path] = (etag, text)
            else:
                self._verbatim.pop(radicale_path, None)

    def _as_put(self, radicale_path: str, etag: str | None, data: str) -> str:
        """The text as it was PUT through the front, if this is still that version."""
        with self.lock:
            kept = self._verbatim.get(unquote(radicale_path))
        if kept is not None and (etag is None or etag == kept[0]):
            return kept[1]
        return data

    def put_collection(self, username: str, calendar_id: str, vcalendar: str) -> None:
        self.rig.put_collection(username, calendar_id, vcalendar)
        prefix = f"/{username}/{calendar_id}/"
        with self.lock:
            for path in [p for p in self._verbatim if p.startswith(prefix)]:
                del self._verbatim[path]

    def objects(self, username: str, calendar_id: str) -> dict[str, str]:
        """href (as iCloud would give it) → iCalendar text."""
        return {self._front_path(href): self._as_put(href, None, ics)
                for href, ics in self.rig.objects(username, calendar_id).items()}

    # --- mapping ----------------------------------------------------------------------------
    def _our_etag(self, radicale_etag: str | None) -> str:
        """8 base-36 characters in quotes (entries 18, 26), derived deterministically."""
        if not radicale_etag:
            return ""
        number = int(hashlib.sha1(radicale_etag.encode()).hexdigest(), 16)
        digits = ""
        for _ in range(8):
            number, rest = divmod(number, 36)
            digits += "0123456789abcdefghijklmnopqrstuvwxyz"[rest]
        ours = f'"{digits}"'
        with self.lock:
            self._etags[ours] = radicale_etag
        return ours

    def _our_token(self, radicale_token: str) -> str:
        """Opaque base64 with `+ / =` possible (entry 14), derived deterministically."""
        digest = hashlib.sha512(radicale_token.encode()).digest()[:40]
        ours = base64.b64encode(b"\x1f\x0a\x10\x12" + digest).decode()
        with self.lock:
            self._tokens[ours] = radicale_token
        return ours

    def _front_path(self, radicale_href: str) -> str:
        """/<email>/<rest> at Radicale → /<dsid>/calendars/<rest>."""
        path = unquote(urlsplit(radicale_href).path)
        parts = path.split("/", 2)
        if len(parts) >= 2 and parts[1] in self.dsids:
            return f"/{self.dsids[parts[1]]}/calendars/" + (parts[2] if len(parts) == 3 else "")
        return path

    def _radicale_path(self, front_href: str) -> str | None:
        """/<dsid>/calendars/<rest> (path or absolute URL on either host) → /<email>/<rest>."""
        path = unquote(urlsplit(front_href.strip()).path)
        match = re.fullmatch(r"/(\d+)/calendars/(.*)", path)
        if not match or match.group(1) not in self.emails:
            return None
        return f"/{self.emails[match.group(1)]}/{match.group(2)}"

    def _holder_name(self, email: str) -> str:
        return email.split("@", 1)[0].replace(".", " ").title()

    # --- talking to Radicale ------------------------------------------------------------------
    def _radicale(self, method: str, path: str, authorization: str | None, body: bytes = b"",
                  headers: dict[str, str] | None = None, internal: bool = False) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.rig.port, timeout=30)
        sent = dict(headers or {})
        if authorization:
            sent["Authorization"] = authorization
        if internal:
            sent["X-Rig"] = "1"  # the front's own look-ups are not Slotwise's requests
        try:
            connection.request(method, quote(path, safe="/@:+,;=~!$&'()*"), body=body or None, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    # --- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        method = request.method.upper()
        path = request.path
        if request.headers.get("X-Rig") != "1":
            with self.lock:
                self.seen.append(SeenRequest(method, path, request.headers.get("Depth")))
        faults = {f.kind: f for f in self._take_faults(method, path)}
        if "delay" in faults:
            time.sleep(faults["delay"].seconds)
        if "fail" in faults:
            fault = faults["fail"]
            headers = [("Content-Type", "application/xml; charset=UTF-8")]
            if fault.retry_after is not None:
                headers.append(("Retry-After", str(fault.retry_after)))
            answer = Answer(fault.status, headers, TRUNCATED_MULTISTATUS)
        else:
            try:
                answer = self._handle(request, method, path)
            except OSError:  # Radicale behind the front is gone (a test stopped it): a gateway error
                answer = Answer(502, [], b"")
            if "truncate" in faults and answer.body:
                answer.body = answer.body[: len(answer.body) // 2]
        headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(answer.body))))
        reason = http.client.responses.get(answer.status, "Unknown")
        start_response(f"{answer.status} {reason}", headers)
        return [answer.body]

    def _unauthorized(self) -> Answer:
        # iCloud sends both challenges as separate headers; one client broke when they came in one
        # header with X-MobileMe first, so the order is switchable (see docs/icloud.md).
        basic = ("WWW-Authenticate", 'Basic realm="MMCalDav"')
        mobileme = ("WWW-Authenticate", 'X-MobileMe-AuthToken realm="MMCalDav"')
        pair = [basic, mobileme] if self.auth_headers_basic_first else [mobileme, basic]
        return Answer(401, [*pair, ("Content-Type", "text/plain; charset=UTF-8")], b"Unauthorized")

    def _caller(self, request: Request) -> str | None:
        """The account's e-mail when Radicale accepts the credentials, else None."""
        authorization = request.headers.get("Authorization", "")
        if not authorization.lower().startswith("basic "):
            return None
        try:
            email = base64.b64decode(authorization[6:].strip()).decode().split(":", 1)[0]
        except ValueError:
            return None
        if email not in self.dsids:
            return None
        answer = self._radicale("PROPFIND", f"/{email}/", authorization, b"", {"Depth": "0"}, internal=True)
        return email if answer.status == 207 else None

    def _handle(self, request: Request, method: str, path: str) -> Answer:
        if path in ("/", "/.well-known/caldav"):
            if method != "PROPFIND":
                return Answer(400, [], b"")  # GET / → 400
            email = self._caller(request)
            if email is None:
                return self._unauthorized()
            return self._propfind_answer(request, path, self._root_props(email))
        match = re.fullmatch(r"/(\d+)/principal/?", path)
        if match:
            email = self._caller(request)
            if email is None:
                return self._unauthorized()
            if method != "PROPFIND" or request.headers.get("Depth", "0") != "0":
                return Answer(400, [], b"")  # PROPFIND Depth:1 on the principal → 400
            if self.emails.get(match.group(1)) != email:
                return Answer(403, [], b"")
            return self._propfind_answer(request, f"/{match.group(1)}/principal/", self._principal_props(email))
        match = re.fullmatch(r"/(\d+)/calendars/(inbox|outbox|notification)/", path)
        if match:
            email = self._caller(request)
            if email is None:
                return self._unauthorized()
            if method != "PROPFIND":
                return Answer(403, [], b"")
            return self._propfind_answer(request, path, self._synthetic_props(match.group(2)))
        radicale_path = self._radicale_path(path)
        if radicale_path is None:
            return Answer(404, [], b"")
        return self._forward(request, method, path, radicale_path)

    # --- synthesized resources ----------------------------------------------------------------
    def _root_props(self, email: str) -> dict[str, etree._Element]:
        principal = f"/{self.dsids[email]}/principal/"
        return {
            _tag(DAV, "current-user-principal"): self._href_prop(DAV, "current-user-principal", principal),
            _tag(DAV, "principal-URL"): self._href_prop(DAV, "principal-URL", principal),
        }

    def _principal_props(self, email: str) -> dict[str, etree._Element]:
        props = self._root_props(email)
        home = self._href_prop(CAL, "calendar-home-set", self.home_url(email))
        props[home.tag] = home
        address = self._href_prop(CAL, "calendar-user-address-set", f"mailto:{email}")
        props[address.tag] = address
        name = etree.Element(_tag(DAV, "displayname"))
        name.text = self._holder_name(email)
        props[name.tag] = name
        rtype = etree.Element(_tag(DAV, "resourcetype"))
        _sub(rtype, DAV, "collection")
        _sub(rtype, DAV, "principal")
        props[rtype.tag] = rtype
        return props

    def _synthetic_props(self, kind: str) -> dict[str, etree._Element]:
        """inbox/, outbox/ and notification/ as the home listing shows them (entry 14)."""
        rtype = etree.Element(_tag(DAV, "resourcetype"))
        _sub(rtype, DAV, "collection")
        marker = {"inbox": (CAL, "schedule-inbox"), "outbox": (CAL, "schedule-outbox"),
                  "notification": (CS, "notification")}[kind]
        _sub(rtype, *marker)
        props = {rtype.tag: rtype}
        if kind != "notification":
            comps = etree.Element(_tag(CAL, "supported-calendar-component-set"))
            for name in ("VEVENT",) if kind == "inbox" else ("VEVENT", "VTODO"):
                etree.SubElement(comps, _tag(CAL, "comp"), name=name)
            props[comps.tag] = comps
        if kind != "outbox":
            token = self._our_token(f"synthetic-{kind}")
            for ns, name in ((CS, "getctag"), (DAV, "sync-token")):
                el = etree.Element(_tag(ns, name))
                el.text = token
                props[el.tag] = el
        return props

    def _href_prop(self, ns: str, name: str, href: str) -> etree._Element:
        el = etree.Element(_tag(ns, name))
        _sub(el, DAV, "href", href)
        return el

    def _requested(self, body: bytes) -> list[str] | None:
        """The property tags a PROPFIND asks for; None for allprop or an empty body."""
        if not body.strip():
            return None
        try:
            root = etree.fromstring(body)
        except etree.XMLSyntaxError:
            return None
        prop = root.find(_tag(DAV, "prop"))
        if prop is None:
            return None
        return [child.tag for child in prop if isinstance(child.tag, str)]

    def _response(self, href: str, known: dict[str, etree._Element], wanted: list[str] | None) -> etree._Element:
        """One <response>: found properties in a 200 propstat, missing ones in a separate 404 (entry 14)."""
        response = etree.Element(_tag(DAV, "response"))
        _sub(response, DAV, "href", href)
        names = list(known) if wanted is None else wanted
        found = [known[n] for n in names if n in known]
        missing = [n for n in names if n not in known]
        for props, status in ((found, "HTTP/1.1 200 OK"), (missing, "HTTP/1.1 404 Not Found")):
            if not props:
                continue
            propstat = _sub(response, DAV, "propstat")
            prop = _sub(propstat, DAV, "prop")
            for item in props:
                prop.append(etree.Element(item) if isinstance(item, str) else _copy(item))
            _sub(propstat, DAV, "status", status)
        return response

    def _propfind_answer(self, request: Request, href: str, known: dict[str, etree._Element]) -> Answer:
        multistatus = etree.Element(_tag(DAV, "multistatus"))
        multistatus.append(self._response(href, known, self._requested(request.get_data())))
        return self._xml(207, multistatus)

    def _xml(self, status: int, root: etree._Element, headers: list[tuple[str, str]] | None = None) -> Answer:
        return Answer(status, [("Content-Type", "application/xml; charset=UTF-8"), *(headers or [])],
                      serialize(root))

    # --- forwarding -------------------------------------------------------------------------
    def _forward(self, request: Request, method: str, path: str, radicale_path: str) -> Answer:
        authorization = request.headers.get("Authorization")
        body = request.get_data()
        headers = {k: request.headers[k] for k in ("Content-Type", "Depth", "If-None-Match")
                   if k in request.headers}
        email = self.emails[path.split("/")[1]]
        if method == "PUT":
            return self._put(request, path, radicale_path, email, body, headers)
        if method == "DELETE":
            return self._delete(request, radicale_path, headers)
        root = None
        if method == "REPORT" and body.strip():
            try:
                root = etree.fromstring(body)
            except etree.XMLSyntaxError:
                return Answer(400, [], b"")
            refused = self._rewrite_report(root)
            if refused is not None:
                return refused
            body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        answer = self._radicale(method, radicale_path, authorization, body, headers)
        if answer.status == 401:
            return self._unauthorized()
        if method == "REPORT" and answer.status == 403 and root is not None and root.tag == _tag(DAV, "sync-collection"):
            return self._invalid_token()
        if method in ("GET", "HEAD") and answer.status == 200:
            etag = dict((k.lower(), v) for k, v in answer.headers).get("etag")
            data = answer.body
            if method == "GET" and not radicale_path.endswith("/"):
                data = self._as_put(radicale_path, etag, data.decode("utf-8", "replace")).encode()
            return Answer(200, [("Content-Type", "text/calendar; charset=UTF-8"),
                                ("ETag", self._our_etag(etag))], data)
        if answer.status == 207:
            tree = etree.fromstring(answer.body)
            self._reshape(tree, email, home=radicale_path == f"/{email}/",
                          depth=request.headers.get("Depth", "0"), method=method)
            if root is not None:
                self._list_collection_itself(tree, root, path, radicale_path, authorization)
            return self._xml(207, tree)
        return Answer(answer.status, [(k, v) for k, v in answer.headers if k.lower() in ("content-type", "dav", "allow")],
                      answer.body)

    def _invalid_token(self) -> Answer:
        """403, with or without the valid-sync-token precondition (both have been reported)."""
        if not self.invalid_token_names_precondition:
            return Answer(403, [], b"")
        error = etree.Element(_tag(DAV, "error"))
        _sub(error, DAV, "valid-sync-token")
        return self._xml(403, error)

    def _rewrite_report(self, root: etree._Element) -> Answer | None:
        """Our hrefs and sync tokens in a REPORT body → Radicale's."""
        if root.tag == _tag(CAL, "calendar-multiget"):
            hrefs = root.findall(_tag(DAV, "href"))
            if not hrefs:
                # entry 21: a multiget without hrefs answered 503 + Retry-After: 120 (after 30 s)
                return Answer(503, [("Retry-After", "120"), ("Content-Type", "application/xml; charset=UTF-8")],
                              TRUNCATED_MULTISTATUS)
            for href in hrefs:
                href.text = self._radicale_path(href.text or "") or href.text
        token = root.find(_tag(DAV, "sync-token"))
        if token is not None and (token.text or "").strip():
            with self.lock:
                radicale_token = self._tokens.get(token.text.strip())
            if radicale_token is None:
                return self._invalid_token()
            token.text = radicale_token
        return None

    def _list_collection_itself(self, tree: etree._Element, query: etree._Element, path: str,
                                radicale_path: str, authorization: str | None) -> None:
        """Sync reports (CALDAV-NOTES) and range-less calendar queries (entry 26, not 32) list the collection."""
        if query.tag == _tag(DAV, "sync-collection"):
            if not self.list_collection_in_sync:
                return
        elif query.tag != _tag(CAL, "calendar-query") or query.find(f".//{_tag(CAL, 'time-range')}") is not None:
            return
        body = (b'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>')
        answer = self._radicale("PROPFIND", radicale_path, authorization, body,
                                {"Depth": "0", "Content-Type": "application/xml"}, internal=True)
        etag = None
        if answer.status == 207:
            etag = etree.fromstring(answer.body).findtext(f".//{_tag(DAV, 'getetag')}")
        getetag = etree.Element(_tag(DAV, "getetag"))
        getetag.text = self._our_etag(etag or radicale_path)
        collection_path = path if path.endswith("/") else path + "/"
        tree.insert(0, self._response(collection_path, {getetag.tag: getetag}, None))
        for token in tree.findall(_tag(DAV, "sync-token")):
            tree.append(token)  # after the responses, as RFC 6578 writes it

    def _reshape(self, tree: etree._Element, email: str, home: bool, depth: str, method: str) -> None:
        """Radicale's multistatus → iCloud's: hrefs, etags, tokens, colours, the home as a plain collection."""
        for response in tree.iter(_tag(DAV, "response")):
            data = response.find(f".//{_tag(CAL, 'calendar-data')}")
            if data is not None and data.text:
                data.text = self._as_put(response.findtext(_tag(DAV, "href")) or "",
                                         response.findtext(f".//{_tag(DAV, 'getetag')}"), data.text)
        for el in tree.iter(_tag(DAV, "href")):
            parent = el.getparent()
            if parent is not None and parent.tag in (_tag(DAV, "current-user-principal"), _tag(DAV, "owner"),
                                                     _tag(DAV, "principal-URL")):
                el.text = f"/{self.dsids[email]}/principal/"
            elif parent is not None and parent.tag == _tag(CAL, "calendar-home-set"):
                el.text = self.home_url(email)
            elif el.text:
                el.text = self._front_path(el.text)
        for el in tree.iter(_tag(DAV, "getetag")):
            if el.text:
                el.text = self._our_etag(el.text)
        for el in tree.iter(_tag(DAV, "sync-token"), _tag(CS, "getctag")):
            if el.text:
                el.text = self._our_token(el.text)
        for el in tree.iter(_tag(ICAL, "calendar-color")):
            if el.text and re.fullmatch(r"#[0-9A-Fa-f]{6}", el.text.strip()):
                el.text = el.text.strip().upper() + "FF"
        if not home or method != "PROPFIND":
            return
        home_href = f"/{self.dsids[email]}/calendars/"
        requested: list[str] = []
        for response in tree.findall(_tag(DAV, "response")):
            if response.findtext(_tag(DAV, "href")) != home_href:
                continue
            for prop in response.iter(_tag(DAV, "prop")):
                requested += [child.tag for child in prop]
            for rtype in response.iter(_tag(DAV, "resourcetype")):
                for child in list(rtype):
                    if child.tag != _tag(DAV, "collection"):
                        rtype.remove(child)
            for name in response.iter(_tag(DAV, "displayname")):
                # the home's displayname is the account holder's name (entry 14); move it to the 200 propstat
                name.getparent().remove(name)
                ok = next((ps for ps in response.findall(_tag(DAV, "propstat"))
                           if "200" in (ps.findtext(_tag(DAV, "status")) or "")), None)
                if ok is not None:
                    shown = _sub(ok.find(_tag(DAV, "prop")), DAV, "displayname", self._holder_name(email))
                    shown.tail = None
                break
            for propstat in list(response.findall(_tag(DAV, "propstat"))):
                prop = propstat.find(_tag(DAV, "prop"))
                if prop is not None and len(prop) == 0:
                    response.remove(propstat)
        if depth == "1":
            wanted = list(dict.fromkeys(requested)) or None
            for kind in SYNTHETIC:
                tree.append(self._response(f"{home_href}{kind}/", self._synthetic_props(kind), wanted))

    # --- writes -----------------------------------------------------------------------------
    def _current_etag(self, radicale_path: str, authorization: str | None) -> tuple[int, str | None]:
        answer = self._radicale("GET", radicale_path, authorization, internal=True)
        etag = dict((k.lower(), v) for k, v in answer.headers).get("etag")
        return answer.status, etag

    def _if_match(self, request: Request, exists: bool, headers: dict[str, str]) -> Answer | None:
        """Our etag → Radicale's; `If-Match: *` holds backwards on iCloud (caldav's iCloud profile)."""
        value = request.headers.get("If-Match")
        if value is None:
            return None
        if value.strip() == "*":
            return Answer(412, [], b"") if exists else None
        with self.lock:
            radicale_etag = self._etags.get(value.strip())
        if radicale_etag is None or not exists:
            return Answer(412, [], b"")
        headers["If-Match"] = radicale_etag
        return None

    def _put(self, request: Request, path: str, radicale_path: str, email: str, body: bytes,
             headers: dict[str, str]) -> Answer:
        authorization = request.headers.get("Authorization")
        status, _ = self._current_etag(radicale_path, authorization)
        if status == 401:
            return self._unauthorized()
        exists = status == 200
        refused = self._if_match(request, exists, headers)
        if refused is not None:
            return refused
        uid = _uid_of(body)
        if uid and self._uid_elsewhere(email, radicale_path, uid, authorization):
            return Answer(403, [], b"")  # the one-UID rule (CALDAV-NOTES; caldav's iCloud profile)
        text = body.decode("utf-8", "replace")
        answer = self._radicale("PUT", radicale_path, authorization, acceptable_to_radicale(text).encode(), headers)
        if answer.status == 401:
            return self._unauthorized()
        if answer.status in (201, 204):
            self._remember(radicale_path, dict((k.lower(), v) for k, v in answer.headers).get("etag"), text)
            if exists:
                return Answer(204, [], b"")  # entries 22–24: updates 204, empty, no ETag
            etag = dict((k.lower(), v) for k, v in answer.headers).get("etag")
            return Answer(201, [("ETag", self._our_etag(etag))], b"")  # entries 18–20
        return Answer(answer.status, [], b"")

    def _uid_elsewhere(self, email: str, radicale_path: str, uid: str, authorization: str | None) -> bool:
        """Whether another calendar of the account holds an object with this UID."""
        own_calendar = radicale_path.rsplit("/", 1)[0] + "/"
        listing = self._radicale("PROPFIND", f"/{email}/", authorization,
                                 b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>',
                                 {"Depth": "1", "Content-Type": "application/xml"}, internal=True)
        if listing.status != 207:
            return False
        # Radicale narrows by substring; the exact comparison is below
        query = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="{CAL}"><D:prop><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID">
<C:text-match collation="i;octet">{escape(uid)}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>
</C:filter></C:calendar-query>""".encode()
        for response in etree.fromstring(listing.body).findall(_tag(DAV, "response")):
            href = unquote(response.findtext(_tag(DAV, "href")) or "")
            if response.find(f".//{_tag(CAL, 'calendar')}") is None or href == own_calendar:
                continue
            found = self._radicale("REPORT", href, authorization, query,
                                   {"Depth": "1", "Content-Type": "application/xml"}, internal=True)
            if found.status != 207:
                continue
            for data in etree.fromstring(found.body).iter(_tag(CAL, "calendar-data")):
                if _uid_of((data.text or "").encode()) == uid:
                    return True
        return False

    def _delete(self, request: Request, radicale_path: str, headers: dict[str, str]) -> Answer:
        authorization = request.headers.get("Authorization")
        if request.headers.get("If-Match") not in (None, "*"):
            status, _ = self._current_etag(radicale_path, authorization)
            if status == 401:
                return self._unauthorized()
            refused = self._if_match(request, status == 200, headers)
            if refused is not None:
                return refused
        answer = self._radicale("DELETE", radicale_path, authorization, b"", headers)
        if answer.status == 401:
            return self._unauthorized()
        if answer.status in (200, 204):
            self._remember(radicale_path, None, None)
            return Answer(204, [], b"")  # entry 22 etc.: deletes 204, empty
        return Answer(answer.status, [], b"")


def _second_loopback() -> str:
    import socket

    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
        return "127.0.0.2"
    except OSError:  # not every system routes all of 127/8 to loopback
        return "localhost"


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


def acceptable_to_radicale(ics: str) -> str:
    """Radicale refuses a VEVENT with two DTSTAMPs, which iCloud stores and serves; keep the first."""
    lines, seen = [], False
    for line in ics.splitlines(keepends=True):
        if line.startswith("BEGIN:"):
            seen = False
        if line.startswith("DTSTAMP"):
            if seen:
                continue
            seen = True
        lines.append(line)
    return "".join(lines)


def _uid_of(body: bytes) -> str | None:
    """The first UID in an iCalendar body (lines unfolded)."""
    text = body.decode("utf-8", "replace").replace("\r\n ", "").replace("\n ", "")
    match = re.search(r"^UID[^:\r\n]*:(.*?)\r?$", text, re.MULTILINE)
    return match.group(1).strip() if match else None
