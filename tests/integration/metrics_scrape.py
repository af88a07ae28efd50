"""Helpers for the metrics tests: scrape and parse inferd's /metrics, and run
a real Prometheus server (Debian's `prometheus`) against it.

The parser is deliberately strict (every sample must follow its family's
HELP and TYPE lines) so a format slip fails here before Prometheus sees it.
"""

import json
import math
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from server_process import free_port

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metrics_url(server, path="/metrics"):
    return f"http://127.0.0.1:{server.metrics_port}{path}"


def fetch(url, method="GET", timeout=10):
    """(status, headers, body text) of one request; HTTP errors included."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Exposition:
    """Parsed Prometheus text: types, helps and samples."""

    def __init__(self, text):
        self.text = text
        self.types = {}
        self.helps = {}
        self.samples = []  # (name, labels dict, float value)
        family = None
        for line in text.splitlines():
            if line.startswith("# HELP ") or line.startswith("# TYPE "):
                _, kind, name, detail = line.split(" ", 3)
                (self.helps if kind == "HELP" else self.types)[name] = detail
                family = name
                continue
            match = SAMPLE_RE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, _, labels_text, value = match.groups()
            labels = {key: bytes(raw, "utf-8").decode("unicode_escape")
                      for key, raw in LABEL_RE.findall(labels_text or "")}
            base = name
            for suffix in ("_bucket", "_sum", "_count"):
                if name.endswith(suffix) and self.types.get(name[: -len(suffix)]) == "histogram":
                    base = name[: -len(suffix)]
            assert base == family, f"sample {line!r} is outside its family (current: {family})"
            self.samples.append((name, labels, float(value)))

    def find(self, name, **labels):
        return [(l, v) for n, l, v in self.samples
                if n == name and all(l.get(k) == str(val) for k, val in labels.items())]

    def value(self, name, **labels):
        found = self.find(name, **labels)
        assert len(found) == 1, f"expected one {name}{labels}, found {found}"
        return found[0][1]

    def total(self, name, **labels):
        return sum(v for _, v in self.find(name, **labels))

    def buckets(self, name, **labels):
        """[(upper bound, cumulative count)] in bound order, +Inf last."""
        found = [(float(l["le"]), v) for l, v in self.find(name + "_bucket", **labels)]
        return sorted(found)


def scrape(server):
    status, headers, body = fetch(metrics_url(server))
    assert status == 200, f"GET /metrics answered {status}: {body}"
    return Exposition(body)


def histogram_quantile(q, buckets):
    """Prometheus' histogram_quantile over [(le, cumulative count)] sorted by
    le with +Inf last: linear interpolation inside the bucket holding the
    rank; the first bucket starts at 0; a rank in +Inf gives the last finite
    bound."""
    total = buckets[-1][1]
    if total == 0:
        return math.nan
    rank = q * total
    index = next(i for i, (_, count) in enumerate(buckets) if count >= rank)
    if index == len(buckets) - 1:
        return buckets[-2][0]
    upper, count = buckets[index]
    lower, below = (0.0, 0.0) if index == 0 else buckets[index - 1]
    if count == below:
        return upper
    return lower + (upper - lower) * (rank - below) / (count - below)


def prometheus_binary():
    return shutil.which("prometheus")


class PrometheusServer:
    """A throw-away Prometheus scraping `targets` every second."""

    def __init__(self, workdir, targets, scrape_interval_s=1):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.config = self.workdir / "prometheus.yml"
        self.log_path = self.workdir / "prometheus.log"
        targets_yaml = ", ".join(f"'{t}'" for t in targets)
        self.config.write_text(
            "global:\n"
            f"  scrape_interval: {scrape_interval_s}s\n"
            f"  scrape_timeout: {scrape_interval_s}s\n"
            "scrape_configs:\n"
            "  - job_name: inferd\n"
            "    static_configs:\n"
            f"      - targets: [{targets_yaml}]\n")
        self.process = None
        self._log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [prometheus_binary(), f"--config.file={self.config}",
             f"--storage.tsdb.path={self.workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=str(self.workdir))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = fetch(f"{self.url}/-/ready", timeout=2)
                if status == 200:
                    return self
            except (urllib.error.URLError, OSError):
                pass  # not listening yet
            time.sleep(0.2)
        raise RuntimeError(f"prometheus was not ready after {timeout} s:\n{self.log_tail()}")

    def query(self, promql):
        """The instant vector of `promql` now: [(labels, float value)]."""
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        status, _, body = fetch(url)
        assert status == 200, f"query {promql!r} answered {status}: {body}"
        reply = json.loads(body)
        assert reply["status"] == "success", reply
        result = reply["data"]["result"]
        if reply["data"]["resultType"] == "scalar":
            return [({}, float(result[1]))]
        return [(item["metric"], float(item["value"][1])) for item in result]

    def wait_for(self, promql, predicate, timeout=30):
        """Polls `promql` until predicate(result) holds; returns the result."""
        deadline = time.monotonic() + timeout
        result = None
        while time.monotonic() < deadline:
            result = self.query(promql)
            if predicate(result):
                return result
            time.sleep(0.25)
        raise AssertionError(f"{promql!r} never satisfied the condition; last result {result}\n"
                             + self.log_tail())

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._log is not None and not self._log.closed:
            self._log.close()

    def log_tail(self, lines=30):
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except FileNotFoundError:
            return "(no prometheus log)"
        return "--- prometheus log ---\n" + "\n".join(tail)
