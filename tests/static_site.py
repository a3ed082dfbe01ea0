"""The static export, and Debian's nginx serving it with the shipped rules (hosting/nginx/).

nginx runs as the test user with a generated main config around ``hosting/nginx/mwg-site.conf``
itself: only its ``listen`` and ``root`` lines are replaced (a free loopback port, the export).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from mwg_graph.config import PROJECT_ROOT, Settings

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's nginx, installed by `make test`
SITE_CONF = PROJECT_ROOT / "hosting" / "nginx" / "mwg-site.conf"
SHIPPED_LISTEN = "    listen 80;\n"
SHIPPED_ROOT = "    root /var/www/mwg-site;\n"


def export(settings: Settings, site: Path) -> subprocess.CompletedProcess:
    """``mwg-graph export`` as users run it (a process of its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    command = [sys.executable, "-m", "mwg_graph", "export", str(site),
               "--dist-dir", str(settings.dist_dir), "--base-iri", settings.base_iri]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def nginx_config(site: Path, port: int, work: Path) -> Path:
    """A main config for nginx as the test user, around the shipped site rules."""
    rules = SITE_CONF.read_text(encoding="utf-8")
    assert SHIPPED_LISTEN in rules and SHIPPED_ROOT in rules, "the shipped listen/root lines moved"
    rules = rules.replace(SHIPPED_LISTEN, f"    listen 127.0.0.1:{port};\n")
    rules = rules.replace(SHIPPED_ROOT, f"    root {site};\n")
    (work / "mwg-site.conf").write_text(rules, encoding="utf-8")
    temp = {name: work / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;\n" if os.geteuid() == 0 else ""  # else workers would run as nobody
    main = (
        f"{user}daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log warn;\nevents {{ worker_connections 512; }}\n"
        "http {\n"
        f"    access_log {work}/access.log;\n"
        f"    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"    include {work}/mwg-site.conf;\n}}\n"
    )
    path = work / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def start_nginx(config: Path, url: str, log: Path, timeout: float = 30) -> subprocess.Popen:
    work = config.parent
    handle = log.open("wb")
    process = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(config)], stdout=handle, stderr=subprocess.STDOUT
    )
    return answering(process, "nginx", url, log, work / "error.log", timeout)


APACHE = shutil.which("apache2") or "/usr/sbin/apache2"  # Debian's apache2, installed by make test
APACHE_MODULES = Path("/usr/lib/apache2/modules")
HTACCESS = PROJECT_ROOT / "hosting" / "apache" / ".htaccess"


def apache_site(site: Path, work: Path) -> Path:
    """A copy of the export with the shipped ``.htaccess`` in its root, readable by Apache's
    workers (which run as ``nobody`` when the tests run as root)."""
    copy = work / "site"
    shutil.copytree(site, copy)
    shutil.copy(HTACCESS, copy / ".htaccess")
    for path in (work, *copy.rglob("*"), copy):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def apache_config(site: Path, port: int, work: Path) -> Path:
    """A main config for Apache as Debian builds it, serving ``site`` with ``AllowOverride All``."""
    modules = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers")
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    config = work / "httpd.conf"
    config.write_text(
        f"ServerRoot {work}\nListen 127.0.0.1:{port}\nPidFile {work}/httpd.pid\n"
        f"ErrorLog {work}/error.log\nLogLevel warn\nServerName 127.0.0.1\n{user}"
        + "".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so\n" for m in modules)
        + f"TypesConfig /etc/mime.types\nDocumentRoot {site}\n"
        f"<Directory {site}>\n    AllowOverride All\n    Require all granted\n</Directory>\n",
        encoding="utf-8",
    )
    return config


def start_apache(config: Path, url: str, log: Path, timeout: float = 30) -> subprocess.Popen:
    handle = log.open("wb")
    process = subprocess.Popen(
        [APACHE, "-f", str(config), "-DFOREGROUND"], stdout=handle, stderr=subprocess.STDOUT
    )
    return answering(process, "apache2", url, log, config.parent / "error.log", timeout)


def answering(
    process: subprocess.Popen, name: str, url: str, log: Path, errors: Path, timeout: float
) -> subprocess.Popen:
    """``process`` once the site answers at ``url``; its output and error log if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text() + (errors.read_text() if errors.exists() else "")
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{output}")
        try:
            requests.get(url + "/robots.txt", timeout=2)
            return process
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not answer in {timeout}s:\n{log.read_text()}")
