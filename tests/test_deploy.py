"""Deploy files: the Dockerfile's shape and its install/start commands run for real, compose,
the systemd unit (systemd-analyze verify) and env.example kept in step with the code.

Docker cannot run here, so the image is rebuilt by hand: the builder's COPY sources go into a
temp build context, `pip install` runs into a fresh venv, the runtime's ENV is applied (with
/app and /opt/venv mapped into the temp dir) and ENTRYPOINT + CMD and the HEALTHCHECK command
run against the fake Telegram server. The package is installed with `--no-deps` and the
dependencies come from this interpreter's site-packages through a .pth file: fast and offline,
yet a broken entry point, a package missing from the wheel or a missing build input fails.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SCRIPT = "llamabot"


# -- a small Dockerfile reader ------------------------------------------------------------

@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) pairs with comments dropped and continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue  # comments (and parser directives), also inside a continued instruction
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        if pending.strip():
            keyword, _, args = pending.strip().partition(" ")
            result.append((keyword.upper(), args.strip()))
        pending = ""
    return result


def dockerfile_stages(text: str) -> tuple[dict[str, str], list[Stage]]:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, rest in dockerfile_instructions(text):
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def env_pairs(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.all("ENV"):
        for item in shlex.split(args):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def copy_sources(stage: Stage) -> list[tuple[list[str], str]]:
    """Local COPY instructions (no --from) as ([sources], destination)."""
    copies = []
    for args in stage.all("COPY"):
        parts = shlex.split(args)
        if any(p.startswith("--from") for p in parts):
            continue
        parts = [p for p in parts if not p.startswith("--")]
        copies.append((parts[:-1], parts[-1]))
    return copies


DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
ARGS, STAGES = dockerfile_stages(DOCKERFILE)
BUILDER, RUNTIME = STAGES[0], STAGES[-1]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def healthcheck_command() -> list[str]:
    (args,) = RUNTIME.all("HEALTHCHECK")
    cmd = args[args.index("CMD ") + 4:]
    return exec_form(cmd)


# -- the Dockerfile's shape ---------------------------------------------------------------

def test_dockerfile_is_multi_stage_with_a_slim_runtime() -> None:
    assert len(STAGES) >= 2, "builder and runtime stages"
    assert BUILDER.name == "builder"
    assert RUNTIME.base == "python:3.11-slim"
    builder_runs = " ".join(BUILDER.all("RUN"))
    assert "-m venv /opt/venv" in builder_runs
    install = r"/opt/venv/bin/pip install '\.\[postgres,chart\]'(\s|$)"  # both engines, charts
    assert re.search(install, builder_runs), builder_runs
    # The runtime gets only the venv (from the builder) and the knowledge base.
    from_builder = [a for a in RUNTIME.all("COPY") if a.startswith("--from=builder")]
    assert from_builder == ["--from=builder /opt/venv /opt/venv"]
    local = copy_sources(RUNTIME)
    assert [srcs for srcs, _ in local] == [["knowledge/"]], local
    assert not any("pip install" in run for run in RUNTIME.all("RUN"))


def test_runtime_has_tzdata_a_non_root_user_and_volumes() -> None:
    runs = " ".join(RUNTIME.all("RUN"))
    assert re.search(r"apt-get install[^&]*\btzdata\b", runs), runs
    assert "rm -rf /var/lib/apt/lists" in runs
    assert re.search(r"useradd\b[^&]*\bllamabot\b", runs)
    users = RUNTIME.all("USER")
    assert users and users[-1] == "llamabot"
    # USER comes before ENTRYPOINT/CMD so the bot never runs as root.
    keywords = [kw for kw, _ in RUNTIME.instructions]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    volumes = [v for args in RUNTIME.all("VOLUME") for v in exec_form(args)]
    assert set(volumes) == {"/app/knowledge", "/app/data"}
    env = env_pairs(RUNTIME)
    assert env["LLAMABOT_KNOWLEDGE_DIR"] == "/app/knowledge"
    assert env["LLAMABOT_DATABASE"].startswith("/app/data/")
    assert env["PATH"].startswith("/opt/venv/bin:")


def test_entrypoint_cmd_and_healthcheck() -> None:
    assert exec_form(RUNTIME.all("ENTRYPOINT")[-1]) == [SCRIPT]
    assert exec_form(RUNTIME.all("CMD")[-1]) == ["run"]
    assert re.search(rf'^{SCRIPT}\s*=\s*"bot\.cli:main"', (ROOT / "pyproject.toml").read_text(),
                     re.M), "ENTRYPOINT must be the console script pyproject.toml declares"
    (args,) = RUNTIME.all("HEALTHCHECK")
    assert "--interval=" in args and "--timeout=" in args
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2] and "/healthz" in command[2]
    assert not any(tool in args for tool in ("curl", "wget"))  # neither is in python:3.11-slim


def test_dockerignore_keeps_secrets_out_and_build_inputs_in() -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        return any(fnmatch(path, p.lstrip("/")) or fnmatch(path.split("/")[0], p.lstrip("/"))
                   for p in patterns if not p.startswith("!"))

    for secret in (".env", ".venv", ".git", "data", "deploy/.env"):
        assert ignored(secret), f"{secret} would be sent to the Docker daemon"
    for stage in STAGES:
        for sources, _ in copy_sources(stage):
            for source in sources:
                assert not ignored(source.rstrip("/")), f"COPY {source} is in .dockerignore"
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


# -- the image rebuilt in a temp dir: install and start commands ----------------------------

@dataclass
class Image:
    root: Path  # stands for the image's /
    venv: Path  # /opt/venv
    app: Path  # /app
    env: dict[str, str]  # the runtime's ENV, paths mapped into root
    context: Path  # the build context the builder stage saw

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=self.env, cwd=self.app, capture_output=True, text=True,
                              timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen[str]:
        command = [*exec_form(RUNTIME.all("ENTRYPOINT")[-1]), *args]
        return subprocess.Popen(command, env=self.env, cwd=self.app, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "LLAMABOT_", "PYTHON", "VIRTUAL_ENV", "PIP_REQ"))}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    base = tmp_path_factory.mktemp("image")
    context = base / "context"
    root = base / "root"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    # The builder stage: its COPY sources make the build context the image sees.
    for sources, _ in copy_sources(BUILDER):
        for source in sources:
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, context / source, ignore=ignore)
            else:
                context.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, context / source)
    venv = root / "opt" / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps",
           "--disable-pip-version-check", "--no-input", str(context)]
    done = subprocess.run(pip, env=clean_environment(), capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if re.search(r"(No matching distribution|Could not find a version).*setuptools", output):
            pytest.skip("offline: pip cannot fetch the build backend (setuptools>=68) for the "
                        "isolated build; the Dockerfile's `pip install .` needs it too")
        pytest.fail(f"`pip install .` of the build context failed:\n{output[-3000:]}")
    # Dependencies from this interpreter (not the project: its editable finder is a .pth
    # that a path listed in another .pth never runs).
    purelib = Path(subprocess.check_output(
        [str(venv / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "_test_deploy_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    # The runtime stage: COPY knowledge/ /app/knowledge/, data/ created, ENV applied.
    for sources, dest in copy_sources(RUNTIME):
        for source in sources:
            shutil.copytree(ROOT / source, root / dest.strip("/"), ignore=ignore)
    app = root / "app"
    (app / "data").mkdir(parents=True, exist_ok=True)
    env = clean_environment()
    for key, value in env_pairs(RUNTIME).items():
        value = value.replace("$PATH", env.get("PATH", "/usr/bin:/bin"))
        env[key] = re.sub(r"(?<![\w.])/(app|opt/venv)\b", lambda m: str(root / m[1]), value)
    return Image(root, venv, app, env, context)


def test_the_venv_holds_the_installed_package_not_the_checkout(image: Image) -> None:
    shown = image.run("python", "-c", "import bot, bot.cli; print(bot.__file__)")
    assert shown.returncode == 0, shown.stderr
    installed = Path(shown.stdout.strip())
    assert installed.is_relative_to(image.venv), installed
    # Every module of the checkout made it into the wheel (a subpackage left out by
    # [tool.setuptools.packages.find] would only fail at run time otherwise). Compared with
    # the build context, a snapshot: the checkout may change while the tests run.
    package = installed.parent
    expected = {p.relative_to(image.context).as_posix()
                for p in (image.context / "bot").rglob("*.py")}
    present = {p.relative_to(package.parent).as_posix() for p in package.rglob("*.py")}
    assert expected <= present, sorted(expected - present)


def test_console_script_help_and_knowledge_validation(image: Image) -> None:
    script = image.venv / "bin" / SCRIPT
    assert script.is_file() and os.access(script, os.X_OK), "console script not installed"
    helped = image.run(SCRIPT, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "run" in helped.stdout and "kb" in helped.stdout
    # No argument: the image's LLAMABOT_KNOWLEDGE_DIR (/app/knowledge) is used.
    checked = image.run(SCRIPT, "kb", "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK:"), checked.stdout
    answered = image.run(SCRIPT, "ask", "--json", "lama koto download hoyeche")
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["citation"] is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_healthcheck(image: Image, pid: int) -> subprocess.CompletedProcess[str]:
    """The HEALTHCHECK command, reading `pid`'s command line where the container has PID 1."""
    command = [part.replace("/proc/1/", f"/proc/{pid}/") for part in healthcheck_command()]
    return image.run(*command, timeout=10)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(max_poll=0.3) as server:
        yield server


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    return out


def test_default_command_polls_and_stops_cleanly(image: Image, fake: FakeTelegram) -> None:
    image.env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url)
    proc = image.start(*exec_form(RUNTIME.all("CMD")[-1]))
    try:
        fake.wait_for("getUpdates", timeout=30)
        reply = fake.ask("/start", timeout=10)
        assert reply, "no answer to /start"
        health = run_healthcheck(image, proc.pid)  # polling: no HTTP server, process is up
        assert health.returncode == 0, health.stderr
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out[-2000:]
    assert (image.app / "data" / "llamabot.sqlite3").exists()  # LLAMABOT_DATABASE honoured


def test_webhook_mode_answers_and_passes_the_healthcheck(image: Image, fake: FakeTelegram) -> None:
    image.env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url)
    port, secret = free_port(), "deploy-test_secret"
    proc = image.start("run", "--webhook", "https://bot.example.org/telegram", "--listen",
                       "127.0.0.1", "--port", str(port), "--secret-token", secret)
    try:
        fake.wait_for("setWebhook", timeout=30)
        assert fake.webhook["secret_token"] == secret
        # Ready once setWebhook has answered: until then /healthz says 503, as Docker's
        # --start-period allows (a CI run failed here when the probe came first).
        deadline = time.monotonic() + 20
        while (health := run_healthcheck(image, proc.pid)).returncode and (
                time.monotonic() < deadline):
            time.sleep(0.2)
        assert health.returncode == 0, health.stdout + health.stderr
        update = {"update_id": 7, "message": {
            "message_id": 1, "date": int(time.time()), "text": "/start",
            "chat": {"id": 4242, "type": "private"},
            "from": {"id": 4242, "is_bot": False, "first_name": "U"}}}
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": secret})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        fake.wait_for("sendMessage", lambda c: c.chat_id == 4242, timeout=10)
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out[-2000:]


def test_polling_with_an_http_port_is_checked_there(image: Image, fake: FakeTelegram) -> None:
    port = free_port()
    image.env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
                     LLAMABOT_HTTP_PORT=str(port))
    proc = image.start(*exec_form(RUNTIME.all("CMD")[-1]))
    try:
        fake.wait_for("getUpdates", timeout=30)
        health = run_healthcheck(image, proc.pid)
        assert health.returncode == 0, health.stdout + health.stderr
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out[-2000:]
    # The same process's command line, but nothing listens on the port any more.
    dummy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "run"])
    try:
        assert run_healthcheck(image, dummy.pid).returncode != 0
    finally:
        dummy.kill()
        dummy.wait()


def test_healthcheck_fails_when_the_webhook_server_does_not_answer(image: Image) -> None:
    # A stand-in process whose command line says webhook mode on a port nobody serves.
    dummy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "run",
                              "--webhook", "https://x.example/t", "--port", str(free_port())])
    try:
        assert run_healthcheck(image, dummy.pid).returncode != 0
    finally:
        dummy.kill()
        dummy.wait()


# -- compose, Caddy ----------------------------------------------------------------------

COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_compose_default_service_polls_with_sqlite_on_a_named_volume() -> None:
    bot = SERVICES["bot"]
    assert "profiles" not in bot, "`bot` must start with a plain `docker compose up`"
    assert bot["command"] == ["run"]
    assert bot["env_file"] == ".env" and bot["restart"] == "unless-stopped"
    assert bot["build"]["context"] == ".." and (ROOT / bot["build"]["dockerfile"]).is_file()
    mounts = dict(v.split(":")[1::-1] for v in bot["volumes"])
    assert mounts["/app/data"] in COMPOSE["volumes"]  # named, survives `down`/rebuilds
    assert "LLAMABOT_DATABASE" not in bot.get("environment", {})  # the image's SQLite path


def test_compose_scale_profile() -> None:
    scale = {name for name, svc in SERVICES.items() if "scale" in svc.get("profiles", [])}
    assert scale == {"postgres", "bot-a", "bot-b", "caddy"}
    postgres = SERVICES["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    commands = []
    for name in ("bot-a", "bot-b"):
        replica = SERVICES[name]
        assert replica["environment"]["LLAMABOT_DATABASE"].startswith("postgresql://")
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        command = replica["command"]
        assert command[0] == "run" and "--webhook" in command
        # The secret in the environment: a command line is readable by every user (ps).
        assert "--secret-token" not in command
        assert "LLAMABOT_WEBHOOK_SECRET" in replica["environment"]
        assert command[command.index("--listen") + 1] == "0.0.0.0"
        commands.append(command)
    assert commands[0] == commands[1], "replicas must share the webhook URL and secret"
    command = commands[0]
    url = re.sub(r"\$\{[^}]*\}", "host", command[command.index("--webhook") + 1])
    path = urlparse(url).path
    port = command[command.index("--port") + 1]
    caddy = SERVICES["caddy"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    mounted = [v.split(":")[0] for v in caddy["volumes"] if v.startswith("./")]
    assert mounted == ["./Caddyfile"] and (DEPLOY / "Caddyfile").is_file()
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(rf"handle {re.escape(path)}\s*\{{", caddyfile), path
    assert f"reverse_proxy bot-a:{port} bot-b:{port}" in caddyfile
    assert "health_uri /healthz" in caddyfile
    assert caddyfile.count("{") == caddyfile.count("}")


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker CLI not installed")
def test_compose_config_validates_with_docker_compose(tmp_path: Path) -> None:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker CLI has no compose plugin: `docker compose config` not run")
    env = dict(os.environ, LLAMABOT_DOMAIN="bot.example.org", LLAMABOT_WEBHOOK_SECRET="s",
               POSTGRES_PASSWORD="p")
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=\n")
    done = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yaml"),
                           "--env-file", str(env_file), "--profile", "scale", "config", "-q"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# -- systemd ----------------------------------------------------------------------------

UNIT = (DEPLOY / "llamabot.service").read_text(encoding="utf-8")


def unit_values(key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", UNIT, re.M)


def test_unit_file_settings() -> None:
    expected = {
        "User": "llamabot", "WorkingDirectory": "/opt/llamabot",
        "EnvironmentFile": "/etc/llamabot/llamabot.env",
        "ExecStart": f"/opt/llamabot/.venv/bin/{SCRIPT} run",
        "ExecReload": "/bin/kill -HUP $MAINPID", "Restart": "on-failure",
        "KillSignal": "SIGTERM", "StateDirectory": "llamabot", "UMask": "0077",
        "NoNewPrivileges": "yes", "ProtectSystem": "strict",
        "ReadWritePaths": "/var/lib/llamabot", "ProtectHome": "yes", "PrivateTmp": "yes",
        "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
        "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces": "yes",
        "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
        "CapabilityBoundingSet": "",
    }
    for key, value in expected.items():
        assert value in unit_values(key), f"{key}={value} missing"
    assert "@system-service" in unit_values("SystemCallFilter")
    assert unit_values("RestartSec") and unit_values("TimeoutStopSec")
    # ProtectSystem=strict leaves only the state directory writable: the database must be there.
    (database,) = [v for v in unit_values("Environment") if v.startswith("LLAMABOT_DATABASE=")]
    assert database.split("=", 1)[1].startswith("/var/lib/llamabot/")
    # SIGHUP is the bot's "reload the knowledge base" signal, not a reason to restart it.
    assert not unit_values("RestartForceExitStatus")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze not installed: unit file not verified")
def test_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at a real executable, nothing else changes.
    unit = tmp_path / "llamabot.service"
    unit.write_text(UNIT.replace(f"/opt/llamabot/.venv/bin/{SCRIPT}", sys.executable))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, timeout=60)
    complaints = [line for line in (done.stdout + done.stderr).splitlines()
                  if "llamabot.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


# -- env.example and README --------------------------------------------------------------

def test_env_example_documents_every_setting() -> None:
    from bot.config import read_env_file

    example = DEPLOY / "env.example"
    text = example.read_text(encoding="utf-8")
    read_env_file(example)  # parses with the bot's own .env reader
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.M))
    in_code = {name for path in (ROOT / "bot").rglob("*.py")
               for name in re.findall(r"[\"']((?:TELEGRAM|LLAMABOT)_[A-Z0-9_]+)[\"']",
                                      path.read_text(encoding="utf-8"))}
    in_compose = set(re.findall(r"\$\{([A-Z0-9_]+)", (DEPLOY / "compose.yaml").read_text()))
    assert in_code, "no settings found in bot/"
    assert not (in_code | in_compose) - documented, sorted((in_code | in_compose) - documented)
    # systemd's EnvironmentFile has no inline comments: a `#` after a value would be kept.
    values = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not [line for line in values if " #" in line], values


def test_deploy_readme_covers_the_runbook() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for needle in ("useradd", "python3.11 -m venv", "/etc/llamabot/llamabot.env",
                   "systemctl enable --now llamabot", "journalctl -u llamabot",
                   "docker compose -f deploy/compose.yaml up", "--profile scale",
                   "Caddyfile", "LLAMABOT_WEBHOOK_SECRET", "setWebhook", "/healthz", ".backup",
                   "VACUUM INTO", "pg_dump", "pg_restore", "migrations", "rollback"):
        assert needle.lower() in readme.lower(), f"deploy/README.md does not mention {needle!r}"
