"""Run each student's kernel in a sandbox: no network, no view of the course, hard limits.

nbgrader runs student code in an IPython kernel with the grader's own permissions: the kernel can
read ``source/`` (solutions and hidden tests), rewrite ``gradebook.db``, talk to the network and
leave detached processes behind. :class:`SandboxKernelManager` starts that kernel instead inside
`bubblewrap <https://github.com/containers/bubblewrap>`_ (Debian/Ubuntu package ``bubblewrap``):

* the file system is an allow-list: the system folders (``/usr``, ``/etc``, ``/lib``...) and the
  Python environment and ``labkit``, all read-only, a private ``/tmp``, and a size-limited scratch
  folder as the working directory with the assignment's companion files from
  ``release/<assignment>/`` (e.g. ``config.yaml``) — never the student's own extra files. The course,
  the gradebook, other checkouts, home folders and data disks do not exist in it;
* new network namespace (no network at all: the kernel talks to the grader over Unix sockets in a
  private folder), new PID namespace (when the kernel is stopped, every process it started dies with
  it, ``setsid`` or not), new IPC/UTS namespaces, a clean environment (no ``NBGRADER_EXECUTION``);
* resource limits set inside the sandbox by :func:`main` before the kernel starts: address space
  (memory), processes (fork bombs), file size, open files; when the grader runs as root the kernel
  also drops to an unprivileged uid (so that the process limit applies: root is exempt from it).

Without bubblewrap (macOS, Windows, Linux without user namespaces) the kernel still gets the clean
environment, the scratch working directory and the resource limits, and every process it leaves
behind is killed by an environment tag; :func:`isolation_level` says which one is in use and the
grading log reports it. Settings (:mod:`labkit.settings`): ``LAB08_SANDBOX`` (``auto``/``bwrap``/
``off``), ``LAB08_SANDBOX_MEMORY`` (bytes, default 8 GiB), ``LAB08_SANDBOX_NPROC`` (default 512),
``LAB08_SANDBOX_FSIZE``, ``LAB08_SANDBOX_NOFILE``, ``LAB08_SANDBOX_UID`` (when root; by default one per
grading run and parallel batch).
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from labkit import settings, threads
from labkit.grading.course import KERNEL_ENV, REPO

TAG = settings.SANDBOX_TAG.name  # environment variable that marks every process of one kernel
SCRATCH_SIZE = settings.SCRATCH_BYTES  # bytes of tmpfs for the working directory and for /tmp


def limits() -> dict[str, int]:
    """Resource limits for one kernel (from the environment, with course defaults)."""
    return {"memory": settings.SANDBOX_MEMORY.get(), "nproc": settings.SANDBOX_NPROC.get(),
            "fsize": settings.SANDBOX_FSIZE.get(), "nofile": settings.SANDBOX_NOFILE.get()}


@functools.lru_cache(maxsize=1)
def isolation_level() -> str:
    """``"bwrap"`` when bubblewrap works here (and ``LAB08_SANDBOX`` is not ``off``), else ``"limits"``."""
    mode = settings.SANDBOX.get()
    if mode == "off":
        return "limits"
    bwrap = shutil.which("bwrap")
    ok = False
    if bwrap:
        probe = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
                 "--die-with-parent", "--tmpfs", "/tmp", "true"]
        try:
            ok = subprocess.run(probe, capture_output=True, timeout=settings.BWRAP_PROBE_TIMEOUT).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
    if mode == "bwrap" and not ok:
        raise RuntimeError("LAB08_SANDBOX=bwrap but bubblewrap is missing or cannot create namespaces here "
                           "(install the Debian/Ubuntu package `bubblewrap`)")
    return "bwrap" if ok else "limits"


def kernel_env(tag: str) -> dict[str, str]:
    """The whole environment of a sandboxed kernel: nothing from the grader's own environment."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        **{var: os.environ.get(var, "") for var in threads.MANAGED},  # this kernel's thread share
        "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
        TAG: tag,
        **KERNEL_ENV,
    }
    return {k: v for k, v in env.items() if v != ""}


def _needed_paths() -> list[str]:
    """Folders the kernel must see read-only even if they sit under a hidden folder."""
    paths = {sys.prefix, sys.base_prefix, str(REPO / "labkit"), str(Path(sys.executable).resolve().parent.parent)}
    return sorted(p for p in paths if Path(p).exists())


SYSTEM = ["/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/sys"]


def bwrap_argv(cmd: list[str], *, workdir: str, conn_dir: str, companions: list[Path],
               course_root: Path, env: dict[str, str]) -> list[str]:
    """The bubblewrap command line that runs ``cmd`` (the kernel) in the sandbox.

    The kernel's file system is an allow-list: the system folders (read-only), the Python
    environment and ``labkit`` (read-only), a private ``/tmp``, the connection folder and the
    working directory. Nothing else of the host exists in it — no other checkout of the course, no
    home folders, no data disks — and the course root and this repository are hidden even if they
    sit inside an allowed folder.
    """
    # as root: no user namespace, so that the launcher can drop to an unprivileged uid inside
    unshare = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
               if os.geteuid() == 0 else ["--unshare-all"])
    argv = [shutil.which("bwrap") or "bwrap", "--die-with-parent", "--new-session", *unshare,
            "--hostname", "sandbox"]
    for p in SYSTEM:
        if os.path.islink(p):
            argv += ["--symlink", os.readlink(p), p]
        elif os.path.isdir(p):
            argv += ["--ro-bind", p, p]
    argv += ["--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm", "--proc", "/proc"]
    for dev in sorted(Path("/dev").glob("nvidia*")) + [Path("/dev/dri")]:  # GPUs, when there are any
        if dev.exists():
            argv += ["--dev-bind", str(dev), str(dev)]
    argv += ["--perms", "1777", "--size", str(SCRATCH_SIZE), "--tmpfs", "/tmp"]
    # the course root, where its source/ really lives (a symlink in scratch roots) and this
    # repository (which holds the course's own source/ and gradebook)
    secret = {str(course_root), str((course_root / "source").resolve()), str(REPO)}
    for s in sorted(p for p in secret if Path(p).exists()):
        if any(s == a or s.startswith(a + "/") for a in SYSTEM):
            argv += ["--tmpfs", s]
    made: set[str] = set()
    for p in [*_needed_paths(), conn_dir]:  # parents readable by the kernel's uid (bwrap makes them 0700)
        for parent in reversed(Path(p).parents):
            q = str(parent)
            if q not in ("/", "/tmp") and q not in made and not any(q == a or q.startswith(a + "/") for a in SYSTEM):
                argv += ["--perms", "0755", "--dir", q]
                made.add(q)
    for p in _needed_paths():
        argv += ["--ro-bind", p, p]
    argv += ["--bind", conn_dir, conn_dir, "--perms", "1777", "--size", str(SCRATCH_SIZE), "--tmpfs", workdir]
    for f in companions:
        argv += ["--ro-bind", str(f), f"{workdir}/{f.name}"]
    argv += ["--chdir", workdir, "--clearenv"]
    for k, v in env.items():
        argv += ["--setenv", k, v]
    return argv + ["--"] + cmd


def launcher_argv(cmd: list[str], *, uid: int | None) -> list[str]:
    """``python -m labkit.grading.run.sandbox`` sets the limits (and drops to ``uid``), then execs ``cmd``."""
    lim = limits()
    argv = [sys.executable, "-P", "-m", "labkit.grading.run.sandbox",
            f"--memory={lim['memory']}", f"--nproc={lim['nproc']}",
            f"--fsize={lim['fsize']}", f"--nofile={lim['nofile']}"]
    if uid is not None:
        argv.append(f"--uid={uid}")
    return argv + ["--"] + cmd


def kill_tagged(tag: str) -> int:
    """Kill every process whose environment carries ``TAG=tag`` (fallback without PID namespaces)."""
    killed = 0
    needle = f"{TAG}={tag}".encode()
    for pid_dir in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (pid_dir / "environ").read_bytes().split(b"\0"):
                os.kill(int(pid_dir.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def _processes_of(uid: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        pids.append(int(status.parent.name))
                    break
        except (OSError, ValueError):
            continue
    return pids


def tasks_of(uid: int) -> int:
    """Tasks (threads included) that ``uid`` runs now: what RLIMIT_NPROC counts."""
    total = 0
    for pid in _processes_of(uid):
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def clear_uid(uid: int, wait: float = settings.UID_CLEAR_TIMEOUT) -> None:
    """Kill what is left of earlier kernels of ``uid`` and wait until it is gone (reaped): the
    process limit counts per uid, so a fork bomb's leftovers would starve the next kernel."""
    import time

    deadline = time.monotonic() + wait
    while True:
        pids = _processes_of(uid)
        if not pids or time.monotonic() > deadline:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


def default_uid() -> int:
    """The sandbox uid of this grading run's first batch (root only): unique per grading process,
    so that two grading runs at once never share a uid (nor its process limit)."""
    return settings.SANDBOX_UID.get() or settings.sandbox_uid(os.getpid())


class SandboxKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel runs in the sandbox described in this module.

    Set ``companions`` (files copied next to the notebook) and ``course_root`` before starting.
    The kernel talks to the grader over Unix sockets (``transport="ipc"``) in a private folder,
    because it has no network; interrupts are sent as messages (signals would hit bubblewrap).
    """

    companions: list[Path] = []
    course_root: Path = REPO

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tag = uuid.uuid4().hex
        self.conn_dir = tempfile.mkdtemp(prefix="labkit-kernel-")
        self.level = isolation_level()
        self.uid = default_uid() if os.geteuid() == 0 else None
        if self.uid is not None:
            clear_uid(self.uid)
            os.chown(self.conn_dir, self.uid, self.uid)
        os.chmod(self.conn_dir, 0o700)
        self.transport = "ipc"
        self.ip = os.path.join(self.conn_dir, "kernel")
        self.connection_file = os.path.join(self.conn_dir, "kernel.json")
        self.workdir = None if self.level == "bwrap" else tempfile.mkdtemp(prefix="labkit-work-")
        if self.workdir and self.uid is not None:
            os.chown(self.workdir, self.uid, self.uid)  # the kernel's own uid works (and reads) there

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        # -P: the working directory never shadows an installed package (a planted numpy.py)
        cmd = [cmd[0], "-P", *cmd[1:], "--IPKernelApp.ignore_cwd=True"] if "python" in Path(cmd[0]).name else cmd
        inner = launcher_argv(cmd, uid=self.uid)
        if self.level == "bwrap":
            return bwrap_argv(inner, workdir="/home/student", conn_dir=self.conn_dir,
                              companions=list(self.companions), course_root=Path(self.course_root),
                              env=kernel_env(self.tag))
        for f in self.companions:
            shutil.copy(f, self.workdir)
        return inner

    async def _async_pre_start_kernel(self, **kw):
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if os.geteuid() == 0 and self.uid is not None:
            os.chown(self.connection_file, self.uid, self.uid)
        kw["env"] = kernel_env(self.tag)
        if self.level != "bwrap":  # no private /tmp: home and caches in the kernel's own working folder
            kw["env"].update(HOME=self.workdir, MPLCONFIGDIR=os.path.join(self.workdir, ".matplotlib"),
                             IPYTHONDIR=os.path.join(self.workdir, ".ipython"),
                             XDG_CACHE_HOME=os.path.join(self.workdir, ".cache"))
        kw["cwd"] = self.workdir if self.level != "bwrap" else "/"
        return cmd, kw

    async def _async_interrupt_kernel(self) -> None:
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            kill_tagged(self.tag)  # no-op with bwrap: the PID namespace is gone already
            shutil.rmtree(self.conn_dir, ignore_errors=True)
            if self.workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


def main(argv: list[str] | None = None) -> None:
    """Inside the sandbox: set resource limits, drop privileges, then exec the kernel."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m labkit.grading.run.sandbox")
    for name in ("memory", "nproc", "fsize", "nofile", "uid"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if args.nproc is not None and (args.uid is None or os.geteuid() != 0):
        # no uid of its own (graded by a normal user): the process limit counts every task (thread)
        # of the grader's uid — its workers, the other kernels, their threads — so it is relative
        args.nproc += tasks_of(os.getuid())
    for limit, value in [(resource.RLIMIT_AS, args.memory), (resource.RLIMIT_NPROC, args.nproc),
                         (resource.RLIMIT_FSIZE, args.fsize), (resource.RLIMIT_NOFILE, args.nofile),
                         (resource.RLIMIT_CORE, 0)]:
        if value is not None:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big file fails with EFBIG, not a dead kernel
    if args.uid is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
