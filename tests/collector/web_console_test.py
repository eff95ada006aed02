#!/usr/bin/env python3
"""The web console (collector/web) in a real browser: Debian's Chromium, headless, driven by
Selenium through chromedriver.

A collector runs with --web on loopback; three agencies' sensors ship generated traffic (MOFA and
MOD with the same targeted mail and C2 contact, MLIT ordinary traffic), so there are campaigns,
warnings (注意喚起) and notices (通報); an analyst enters an intelligence report whose actor is a
hostile string. Checks, over HTTP (http.client, trusting the test CA): the security headers on
every answer, 401 without a session (pages and JSON), a bogus token refused, only GET served.
In the browser: sign-in through the link `gsocctl web-token` prints (the cookie HttpOnly, Secure,
SameSite=Strict; the token single use), the live feed lists every warning and notice gsocctl
lists with Japanese labels, the hostile string shows as text and runs nothing, the sensors page
lists the three sensors as stale in red (silence timeout 1 s), the agencies matrix has the same
alert counts as `gsocctl events --count-by agency` and the open notices. The campaign page,
opened from the feed's campaign row, lists the warnings and notices gsocctl has for it, its heat
map has the counts of the events carrying its indicators (gsocctl events --term), and its STIX
and MISP buttons download the Central API's export; the hunt page finds an indicator as often as
gsocctl events does; a hostile string in the hunt and campaign addresses stays text; the sensors
page draws a sparkline per sensor; Chromium reports no Content-Security-Policy violation (Chart.js
included). Screenshots of each page go to BIN/../web_console_screenshots/ (docs/console/ has
copies).
"""
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time

from harness import init_pki, check, run_test, ship_history, ship_traffic, start_collector, free_port

HOSTILE = '<img src=x onerror="window.__gsocPwned=1"><script>window.__gsocPwned=2</script>'


def browser_modules():
    """Selenium and the Chromium pieces, or exit 77 (skipped) saying what is missing."""
    missing = [p for p in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(p)]
    try:
        from selenium import webdriver  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing:
        print("SKIP: %s missing; run scripts/bootstrap (chromium chromium-driver python3-selenium)" % ", ".join(missing))
        sys.exit(77)


def run(bindir, src, root, procs):
    browser_modules()
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    pki, gsoc_pki = init_pki(src, root, ["MOFA", "MOD", "MLIT"], ["duty", "former"])
    port = free_port()
    conf = os.path.join(root, "collector.yaml")
    with open(conf, "w") as f:
        f.write("listen_address: 127.0.0.1:%d\nca_file: pki/ca.pem\ncert_file: pki/collector.pem\nkey_file: pki/collector.key\n"
                "crl_file: pki/crl.pem\nstore: {sqlite_path: events.db}\ncorrelation_rule_files: [%s]\n"
                "correlation_lateness_s: 600\ncorrelation_idle_flush_s: 1\nstats_interval_s: 0\nsensor_silence_timeout_s: 1\n"
                "duty_officers: [duty]\n"
                % (port, os.path.join(src, "packaging", "config", "correlation.yaml")))
    log = os.path.join(root, "collector.log")
    # Port 0: the console's address reaches the analyst through WebToken.
    col = start_collector([bindir + "/gsoc-collector", "-c", conf, "--web", "127.0.0.1:0"], root, log, procs)
    base = [bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % port, "--pki", pki, "--analyst", "duty"]

    def ctl(*args):
        out = subprocess.run(base + list(args), capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, "gsocctl %s succeeds (%s)" % (" ".join(args)[:60], out.stderr.strip()[:200]))
        return out.stdout

    # Traffic of the last hours, so the matrix of the last 7 days has it.
    t0 = int(time.time()) - 3 * 3600
    ship_history(bindir, src, root, port, "MLIT", t0)
    ship_traffic(bindir, src, root, port, "MOFA", t0, 31)
    ship_traffic(bindir, src, root, port, "MOD", t0 + 60, 32)
    time.sleep(3)  # idle flush: correlation runs once ingest is quiet
    ctl("intel", "add", "--actor", HOSTILE, "--target", "MOFA")
    warnings = [p["number"] for p in json.loads(ctl("--json", "warnings") or "{}").get("publications", [])]
    notices = [p["number"] for p in json.loads(ctl("--json", "notices") or "{}").get("publications", [])]
    check(len(warnings) >= 1 and len(notices) == 2, "there are warnings %s and notices %s to show" % (warnings, notices))
    counts = json.loads(ctl("--json", "events", "--since", "7d", "--kind", "alert", "--count-by", "agency") or "{}").get("counts", [])
    alerts = {c["key"][0]: int(c["events"]) for c in counts}

    url = ctl("web-token").strip()
    m = re.fullmatch(r"https://(127\.0\.0\.1):(\d+)/login\?token=([0-9a-f]{64})", url)
    check(m is not None, "gsocctl web-token prints a sign-in link: %s" % url)
    if m is None:
        return
    web_port = int(m.group(2))
    tls = ssl.create_default_context(cafile=os.path.join(pki, "ca.pem"))

    def get(path, cookie=None, method="GET", headers=None, body=None):
        c = http.client.HTTPSConnection("127.0.0.1", web_port, context=tls, timeout=10)
        c.request(method, path, body=body, headers=dict(headers or {}, **({"Cookie": cookie} if cookie else {})))
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    # The HTTP layer, before any session exists.
    for path in ("/", "/api/feed", "/api/sensors", "/api/agencies", "/api/stream", "/static/console.js"):
        status, headers, body = get(path)
        check(status == 401, "GET %s without a session is 401 (%d)" % (path, status))
    status, headers, body = get("/api/feed")
    check("error" in json.loads(body) and "gsocctl web-token" in body, "the 401 says in JSON how to sign in: %s" % body.strip())
    csp = headers.get("content-security-policy", "")
    check("default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp,
          "a strict Content-Security-Policy on every answer: %s" % csp)
    check(headers.get("x-content-type-options") == "nosniff" and headers.get("referrer-policy") == "no-referrer",
          "nosniff and no-referrer headers")
    status, _, _ = get("/login?token=" + "0" * 64)
    check(status == 401, "a made-up token is refused (%d)" % status)
    status, headers, _ = get("/api/feed", method="POST")
    check(status == 405 and headers.get("allow") == "GET", "only GET is served (%d)" % status)
    status, _, _ = get("/static/../collector.yaml")
    check(status in (401, 404), "no path climbs out of the web root (%d)" % status)

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--ignore-certificate-errors", "--user-data-dir=" + os.path.join(root, "chromium")):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations are reported there
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    shots = os.path.join(os.path.dirname(bindir), "web_console_screenshots")
    os.makedirs(shots, exist_ok=True)
    # Page state is read in one script call: the pages replace their rows as they refresh, so
    # elements found one call earlier may be gone.
    js = driver.execute_script
    try:
        driver.set_page_load_timeout(30)

        def wait_rows(selector, n, what):
            try:
                WebDriverWait(driver, 20).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, selector)) >= n)
                return True
            except Exception:
                check(False, "%s: %d rows expected (page says: %s)" % (what, n, driver.find_element(By.TAG_NAME, "body").text[:300]))
                return False

        driver.get(url)
        check(driver.current_url.rstrip("/").endswith(":%d" % web_port), "the link signs in and lands on the feed: %s" % driver.current_url)
        cookie = next((c for c in driver.get_cookies() if c["name"] == "gsoc_session"), None)
        check(cookie is not None and cookie.get("httpOnly") and cookie.get("secure") and cookie.get("sameSite") == "Strict",
              "the session cookie is HttpOnly, Secure, SameSite=Strict: %s" % cookie)
        status, _, _ = get("/login?token=" + m.group(3))
        check(status == 401, "the token works once only (%d)" % status)
        if cookie:
            status, _, body = get("/api/me", cookie="gsoc_session=" + cookie["value"])
            check(status == 200 and json.loads(body).get("analyst") == "duty", "the session is the analyst's: %s" % body)

        # Live feed.
        wait_rows("#feed tbody tr[data-id]", len(warnings) + len(notices), "live feed")
        ids = js("return [...document.querySelectorAll('#feed tbody tr[data-id]')].map(r => r.dataset.id)")
        check(all(w in ids for w in warnings) and all(n in ids for n in notices), "the feed lists every warning and notice: %s" % ids)
        text = driver.find_element(By.TAG_NAME, "body").text
        check("注意喚起" in text and "通報" in text, "Japanese labels for warnings (注意喚起) and notices (通報)")
        titles = js("return [...document.querySelectorAll('#feed tbody tr[data-kind=intel] td.title')].map(e => e.textContent)")
        check(any(t.startswith(HOSTILE) for t in titles), "the hostile actor shows as text: %s" % titles)
        check(driver.find_elements(By.CSS_SELECTOR, "#feed img, #feed script") == [], "the hostile markup made no element")
        time.sleep(1)
        check(driver.execute_script("return window.__gsocPwned === undefined"), "the hostile markup ran no script")
        try:
            driver.switch_to.alert
            check(False, "no alert dialog")
        except NoAlertPresentException:
            check(True, "no alert dialog")
        driver.save_screenshot(os.path.join(shots, "feed.png"))

        # Live: a new publication appears without a reload (the page polls only every 30 s).
        try:
            WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.body.dataset.live === '1'"))
            live = True
        except Exception:
            live = False
        check(live, "the feed page follows the server-sent events stream")
        driver.execute_script("window.__sameDocument = 1")
        ctl("intel", "add", "--actor", "Live actor", "--target", "MOD")
        try:
            WebDriverWait(driver, 10).until(lambda d: any(t.startswith("Live actor") for t in js(
                "return [...document.querySelectorAll('#feed td.title')].map(e => e.textContent)")))
            appeared = True
        except Exception:
            appeared = False
        check(appeared and driver.execute_script("return window.__sameDocument === 1"),
              "a new publication appears within 10 s, without a reload (page: %s)"
              % ("" if appeared else driver.find_element(By.TAG_NAME, "body").text[:400].replace("\n", " | ")))

        # Filters, as gsocctl feed's: choosing a kind narrows the list (server-side) and the address.
        from selenium.webdriver.support.ui import Select
        Select(driver.find_element(By.CSS_SELECTOR, "#filters select[name=kind]")).select_by_value("notice")
        try:
            WebDriverWait(driver, 10).until(lambda d: sorted(js(
                "return [...document.querySelectorAll('#feed tbody tr[data-id]')].map(r => r.dataset.id)")) == sorted(notices))
            narrowed = True
        except Exception:
            narrowed = False
        check(narrowed and driver.current_url.endswith("/?kind=notice"),
              "the kind filter leaves the notices %s (%s)" % (notices, driver.current_url))
        driver.get("https://127.0.0.1:%d/?kind=warning&severity=critical" % web_port)
        time.sleep(1)
        kinds = set(js("return [...document.querySelectorAll('#feed tbody tr[data-id]')].map(r => r.dataset.kind)"))
        check(kinds <= {"warning"} and driver.find_element(By.CSS_SELECTOR, "#filters select[name=severity]").get_attribute("value") == "critical",
              "a filtered address opens with its filters set: %s" % kinds)

        # Sensors: silent for more than 1 s by now, so stale and red.
        driver.get("https://127.0.0.1:%d/sensors" % web_port)
        if wait_rows("#sensors tbody tr[data-sensor]", 3, "sensors"):
            rows = js("return [...document.querySelectorAll('#sensors tbody tr[data-sensor]')].map(r => "
                      "[r.dataset.sensor, r.className, getComputedStyle(r.querySelector('td')).color])")
            names = sorted(r[0] for r in rows)
            check(names == ["mlit-1", "mod-1", "mofa-1"], "the sensors page lists every sensor: %s" % names)
            red = [r[2] for r in rows if r[1] == "stale"]
            check(len(red) == 3 and all(re.match(r"rgba?\(179, 18, 31", c) for c in red), "stale sensors are shown in red: %s" % red)

        # Agencies x the last 7 days.
        driver.get("https://127.0.0.1:%d/agencies" % web_port)
        if wait_rows("#agencies tbody tr[data-agency]", 3, "agencies"):
            shown = {}
            for agency, cells in js("return [...document.querySelectorAll('#agencies tbody tr[data-agency]')].map(r => "
                                    "[r.dataset.agency, [...r.querySelectorAll('td')].map(c => c.textContent)])"):
                shown[agency] = {"days": cells[:7], "total": int(cells[7]), "open": int(cells[8])}
            check(sorted(shown) == ["MLIT", "MOD", "MOFA"], "the matrix has a row per agency: %s" % sorted(shown))
            check(all(len(v["days"]) == 7 for v in shown.values()), "seven day columns")
            check(all(shown.get(a, {}).get("total") == n for a, n in alerts.items()) and alerts.get("MOFA", 0) > 0,
                  "alert totals match gsocctl events --count-by agency: %s vs %s" % ({a: v["total"] for a, v in shown.items()}, alerts))
            check(shown.get("MOFA", {}).get("open") == 1 and shown.get("MOD", {}).get("open") == 1 and shown.get("MLIT", {}).get("open") == 0,
                  "open notices per agency: %s" % {a: v["open"] for a, v in shown.items()})
        driver.save_screenshot(os.path.join(shots, "agencies.png"))

        # Notices: the duty officer moves one on with its button; gsocctl sees the new state.
        driver.get("https://127.0.0.1:%d/notices" % web_port)
        if wait_rows("#notices tbody tr[data-number]", 2, "notices"):
            check("Duty officer" in driver.find_element(By.ID, "role").text, "the duty officer is told so")
            first = js("const r = document.querySelector('#notices tbody tr[data-number]'); return [r.dataset.number, r.dataset.state];")
            check(first[1] == "STATE_NEW", "a new notice waits: %s" % first)
            driver.find_element(By.CSS_SELECTOR, "#notices tbody tr[data-number='%s'] button.move" % first[0]).click()
            try:
                WebDriverWait(driver, 20).until(lambda d: d.execute_script(
                    "const r = document.querySelector(\"#notices tbody tr[data-number='%s']\"); return r && r.dataset.state;" % first[0])
                    == "STATE_DELIVERED")
                moved = True
            except Exception:
                moved = False
            check(moved, "the button moves %s to delivered on the page" % first[0])
            shown = json.loads(ctl("--json", "show", first[0]) or "{}").get("notice", {})
            check(shown.get("state") == "STATE_DELIVERED" and shown.get("history", [{}])[-1].get("by") == "duty",
                  "gsocctl shows it delivered by duty: %s" % shown.get("history"))
            check(js("return document.querySelectorAll('#warnings tbody tr').length") >= 1, "warnings listed with their acknowledgements")
        driver.save_screenshot(os.path.join(shots, "notices.png"))

        # The campaign of the first notice, opened from its row in the feed.
        published = [dict(p, kind=kind) for kind in ("warning", "notice")
                     for p in json.loads(ctl("--json", kind + "s", "--since", "7d") or "{}").get("publications", [])]
        cid = next((p.get("campaign_id") for p in published if p.get("kind") == "notice" and p.get("campaign_id")), "")
        campaign = json.loads(ctl("--json", "show", cid) or "{}").get("campaign", {}) if cid else {}
        check(bool(campaign.get("agencies")), "a campaign to open: %s" % cid)
        expect_warnings = sorted(p["number"] for p in published if p.get("kind") == "warning" and p.get("campaign_id") == cid)
        expect_notices = sorted(p["number"] for p in published if p.get("kind") == "notice" and p.get("campaign_id") == cid)
        # Its evidence as gsocctl reads it: events carrying an indicator, at its agencies, in its window.
        expect_cells = {}
        first_s, last_s = int(campaign.get("first_seen_ns", "0")) // 10**9, int(campaign.get("last_seen_ns", "0")) // 10**9 + 1
        seen_ids = set()
        for ind in campaign.get("indicators", []):
            args = ["--json", "events", "--term", ind["value"], "--since", str(first_s), "--until", str(last_s), "--limit", "100000"]
            for a in campaign.get("agencies", []):
                args += ["--agency", a]
            for e in json.loads(ctl(*args) or "{}").get("events", []):
                if e["event_id"] not in seen_ids:
                    seen_ids.add(e["event_id"])
                    expect_cells[e["agency_id"]] = expect_cells.get(e["agency_id"], 0) + 1
        driver.get("https://127.0.0.1:%d/?kind=campaign" % web_port)
        link = "a[href='/campaign?id=%s']" % cid
        try:
            # Found and clicked in one script: the feed replaces its rows when the stream opens.
            WebDriverWait(driver, 20).until(lambda d: js("const a = document.querySelector(arguments[0]); if (a) a.click(); return !!a;", link))
            WebDriverWait(driver, 10).until(lambda d: "/campaign?id=" in d.current_url)
            opened = True
        except Exception:
            opened = False
        check(opened, "the feed's campaign row links to its page (%s)" % js(
            "return [...document.querySelectorAll('#feed td.title a')].map(a => a.getAttribute('href')).join(' ')"))
        driver.set_window_size(1400, 2000)  # the whole page in its screenshot
        if wait_rows("#heatmap tbody tr[data-agency]", len(campaign.get("agencies", [])), "campaign heat map"):
            heat = {a: cells for a, cells in js("return [...document.querySelectorAll('#heatmap tbody tr[data-agency]')].map(r => "
                                                "[r.dataset.agency, [...r.querySelectorAll('td')].map(c => Number(c.textContent))])")}
            check(sorted(heat) == sorted(campaign["agencies"]), "the heat map has a row per agency of the campaign: %s" % sorted(heat))
            check(all(sum(c[:-1]) == c[-1] for c in heat.values()), "each row's cells add up to its total")
            shown = {a: c[-1] for a, c in heat.items() if c[-1]}
            check(shown == expect_cells and sum(shown.values()) > 0,
                  "the heat map counts the events gsocctl finds carrying its indicators: %s vs %s" % (shown, expect_cells))
            listed = js("return [[...document.querySelectorAll('#warnings tbody tr[data-number]')].map(r => r.dataset.number),"
                        " [...document.querySelectorAll('#notices tbody tr[data-number]')].map(r => r.dataset.number)]")
            check(sorted(listed[0]) == expect_warnings and sorted(listed[1]) == expect_notices and expect_notices,
                  "the campaign lists its warnings %s and notices %s: %s" % (expect_warnings, expect_notices, listed))
            check(js("const c = Chart.getChart(document.getElementById('timeline')); return c ? c.data.datasets.length : 0")
                  == len(campaign["agencies"]), "the timeline is a Chart.js chart with a series per agency")
            for fmt, probe in (("stix", "return d.type === 'bundle' && d.objects.some(o => o.type === 'campaign')"),
                               ("misp", "return Array.isArray(d.response) && !!d.response[0].Event")):
                ok = driver.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "fetch(document.getElementById('export-%s').href).then(r => r.json())"
                    ".then(d => done((() => { %s })()), e => done(String(e)));" % (fmt, probe))
                check(ok is True, "the %s button downloads the campaign's export as JSON (%s)" % (fmt, ok))
        driver.save_screenshot(os.path.join(shots, "campaign.png"))
        driver.set_window_size(1400, 1000)

        # Hunt: one of the campaign's indicators, found as often as gsocctl events finds it.
        if campaign.get("indicators"):
            value = campaign["indicators"][0]["value"]
            stored = json.loads(ctl("--json", "events", "--term", value, "--since", "30d", "--limit", "100000") or "{}").get("events", [])
            driver.get("https://127.0.0.1:%d/hunt" % web_port)
            box = driver.find_element(By.CSS_SELECTOR, "#hunt input[name=q]")
            box.send_keys(value)
            driver.find_element(By.CSS_SELECTOR, "#hunt button").click()
            try:
                WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.hunted") == value)
                hits = js("return [...document.querySelectorAll('#hits tbody tr[data-event]')].map(r => r.dataset.event)")
            except Exception:
                hits = None
            check(hits is not None and sorted(hits) == sorted(e["event_id"] for e in stored[:500]) and hits,
                  "the hunt for %s lists the %d stored events carrying it (%s)" % (value, len(stored), None if hits is None else len(hits)))
            driver.save_screenshot(os.path.join(shots, "hunt.png"))

        # A hostile string in the new pages' addresses stays text.
        from urllib.parse import quote
        for page, shown_in in (("/hunt?q=", "#summary"), ("/campaign?id=", "#status")):
            driver.get("https://127.0.0.1:%d%s%s" % (web_port, page, quote(HOSTILE)))
            try:
                WebDriverWait(driver, 10).until(lambda d: HOSTILE in d.find_element(By.CSS_SELECTOR, shown_in).text)
                echoed = True
            except Exception:
                echoed = False
            time.sleep(0.5)
            check(echoed and driver.find_elements(By.CSS_SELECTOR, "main img, main script") == []
                  and driver.execute_script("return window.__gsocPwned === undefined"),
                  "%s shows the hostile string as text and runs nothing" % page)

        # Sensors: a sparkline of events/s each, once the collector has two samples (every 10 s).
        driver.get("https://127.0.0.1:%d/sensors" % web_port)
        try:
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                "return [...document.querySelectorAll('#sensors td.spark canvas')].filter(c => Chart.getChart(c)).length") == 3)
            sparks = True
        except Exception:
            sparks = False
        check(sparks, "the sensors page draws a Chart.js sparkline per sensor")
        driver.save_screenshot(os.path.join(shots, "sensors.png"))

        violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e.get("message", "")]
        check(violations == [], "no Content-Security-Policy violation on any page (Chart.js included): %s" % violations[:3])

        # Signed out, the browser gets the 401 too.
        driver.delete_all_cookies()
        driver.get("https://127.0.0.1:%d/api/feed" % web_port)
        check("not signed in" in driver.find_element(By.TAG_NAME, "body").text, "without the cookie the browser gets the 401")
    finally:
        driver.quit()

    # Only analysts get tokens, and a session ends with its certificate.
    out = subprocess.run(base + ["--cert", os.path.join(pki, "sensors", "mofa-1.pem"), "--key", os.path.join(pki, "sensors", "mofa-1.key"),
                                 "web-token"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 1 and "PERMISSION_DENIED" in out.stderr, "a sensor certificate gets no token: %s" % out.stderr.strip())
    out = subprocess.run(base[:-1] + ["former", "web-token"], capture_output=True, text=True, timeout=60)
    status, headers, _ = get(out.stdout.strip()[len("https://127.0.0.1:%d" % web_port):])
    session = headers.get("set-cookie", "").split(";")[0]
    check(status == 303 and session.startswith("gsoc_session="), "a second analyst signs in over HTTP (%d)" % status)
    status, _, body = get("/api/me", cookie=session)
    check(status == 200, "and is served before revocation (%d)" % status)
    # Not a duty officer: reads, but cannot move a notice, from the console or from gsocctl.
    me = json.loads(body) if status == 200 else {}
    check(me.get("role") == "viewer", "an analyst not in duty_officers is a viewer: %s" % me.get("role"))
    status, _, body = get("/api/ack", cookie=session, method="POST", body=json.dumps({"id": notices[-1], "state": "closed"}),
                          headers={"Origin": "https://127.0.0.1:%d" % web_port, "X-CSRF-Token": me.get("csrf", ""),
                                   "Content-Type": "application/json"})
    check(status == 403 and "reads only" in body, "a viewer's POST /api/ack is refused (%d %s)" % (status, body.strip()))
    status, _, body = get("/api/ack", cookie=session, method="POST", body=json.dumps({"id": notices[-1]}),
                          headers={"Origin": "https://evil.example", "Content-Type": "application/json"})
    check(status == 403, "a cross-origin POST is refused (%d %s)" % (status, body.strip()))
    out = subprocess.run(base[:-1] + ["former", "ack", notices[-1]], capture_output=True, text=True, timeout=60)
    check(out.returncode != 0 and "PERMISSION_DENIED" in out.stderr, "gsocctl ack by a viewer is refused: %s" % out.stderr.strip())
    stream = http.client.HTTPSConnection("127.0.0.1", web_port, context=tls, timeout=10)
    stream.request("GET", "/api/stream", headers={"Cookie": session})
    events = stream.getresponse()
    check(events.status == 200 and events.getheader("content-type", "").startswith("text/event-stream")
          and "default-src 'self'" in events.getheader("content-security-policy", ""),
          "the live stream is text/event-stream with the CSP (%d %s)" % (events.status, events.getheader("content-type")))
    subprocess.run([os.path.join(src, "scripts", "gsoc-pki"), "revoke", pki, "former"], check=True, stdout=subprocess.DEVNULL)
    col.send_signal(signal.SIGHUP)
    time.sleep(1)
    status, _, body = get("/api/me", cookie=session)
    check(status == 403 and "revoked" in body, "the revoked analyst's open session is refused after SIGHUP (%d %s)" % (status, body.strip()))
    try:
        events.read()  # returns when the collector ends the stream
        ended = True
    except OSError:
        ended = False
    stream.close()
    check(ended, "and the live stream it had open ends")

    status, _, _ = get("/api/me", cookie=session)
    check(status == 401, "the revoked analyst's session is over (%d)" % status)
    import sqlite3
    db = sqlite3.connect(os.path.join(root, "events.db"))
    reasons = [r for (r,) in db.execute("SELECT sensor_id || ': ' || reason FROM refusals WHERE reason LIKE 'web console:%'")]
    db.close()
    check(any("sign-in token unknown" in r for r in reasons) and any(r.startswith("former: ") and "revoked" in r for r in reasons),
          "failed sign-ins and the revoked session are recorded in refusals: %s" % reasons)

    # Without web_address there are no tokens; a bad address names the key.
    port2 = free_port()
    start_collector([bindir + "/gsoc-collector", "--listen", "127.0.0.1:%d" % port2, "--ca", os.path.join(pki, "ca.pem"),
                     "--cert", os.path.join(pki, "collector.pem"), "--key", os.path.join(pki, "collector.key"),
                     "--sqlite", os.path.join(root, "other.db"), "--stats-interval", "0"], root, os.path.join(root, "other.log"), procs)
    out = subprocess.run([bindir + "/gsocctl", "--collector", "127.0.0.1:%d" % port2, "--pki", pki, "--analyst", "duty", "web-token"],
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 1 and "FAILED_PRECONDITION" in out.stderr and "web_address" in out.stderr,
          "web-token without the console says how to turn it on: %s" % out.stderr.strip())
    for bad in ("127.0.0.1:65536", "127.0.0.1", "console.example:8443", "127.0.0.1:%d" % port2):
        out = subprocess.run([bindir + "/gsoc-collector", "-c", conf, "--listen", "127.0.0.1:0", "--sqlite", os.path.join(root, "bad.db"),
                              "--web", bad], capture_output=True, text=True, timeout=60)
        check(out.returncode == 2 and "web_address (--web) '%s'" % bad in out.stderr,
              "--web %s stops the collector naming the key: %s" % (bad, out.stderr.strip().splitlines()[-1:] if out.stderr else out.returncode))


if __name__ == "__main__":
    run_test("gsoc-web-", run)
