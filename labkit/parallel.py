"""Data parallelism on one machine: PyTorch DDP over ``gloo`` processes that talk only through loopback.

``run_ddp(fn, world_size, args)`` starts ``world_size`` processes with ``torch.multiprocessing``
(start method *spawn*, as on a GPU node), joins a process group on ``127.0.0.1`` and a free port, calls
``fn(rank, world_size, *args)`` in each, and returns what every rank returned, in rank order. It is
what ``torchrun`` does for a script, packed into a function a notebook can call:

* the functions run in the children are looked up by module and name, so they must live in an
  importable module (here), never in a notebook cell;
* everything is bounded: joining the group and each collective time out after ``timeout`` seconds,
  and the parent terminates the children and raises ``TimeoutError`` if they are not done by then;
* a child that fails makes ``run_ddp`` raise (the others are terminated); results travel back as
  pickled files in a private temporary folder, never through the network.

``ddp_sgd_step`` is the worker of ``notebooks/02_paralelismo_datos.ipynb``: one SGD step of a model
wrapped in ``DistributedDataParallel`` on this rank's share of a batch.

Importing this module imports no framework; the children import PyTorch when they start.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import socket
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from labkit.settings import DDP_TIMEOUT

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port that is free on ``host`` right now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def loopback_interface() -> str | None:
    """Name of the loopback network interface (``lo`` on Linux, ``lo0`` on macOS), if there is one."""
    try:
        names = [name for _, name in socket.if_nameindex()]
    except (AttributeError, OSError):  # no if_nameindex on this platform
        return None
    return next((n for n in ("lo", "lo0") if n in names), None)


@contextlib.contextmanager
def _child_environment():
    """Environment the children start with (read by PyTorch when it loads): gloo's sockets on the
    loopback interface only, and no C++ warnings on stderr. Variables already set are kept."""
    wanted = {"TORCH_CPP_LOG_LEVEL": "ERROR"}
    ifname = loopback_interface()
    if ifname:
        wanted["GLOO_SOCKET_IFNAME"] = ifname
    added = [key for key in wanted if key not in os.environ]
    os.environ.update({key: wanted[key] for key in added})
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _entry(rank: int, world_size: int, port: int, timeout: float, result_dir: str, payload: bytes) -> None:
    """Body of every child: quiet, one thread, join the group, run ``fn``, save its result."""
    import labkit

    labkit.quiet()
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)  # world_size processes share the cores
    fn, args = pickle.loads(payload)  # a private copy of the arguments, as in separate machines
    dist.init_process_group("gloo", init_method=f"tcp://{HOST}:{port}", rank=rank,
                            world_size=world_size, timeout=timedelta(seconds=timeout))
    try:
        result = fn(rank, world_size, *args)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    tmp = Path(result_dir) / f".rank{rank}.tmp"
    tmp.write_bytes(pickle.dumps(result))
    tmp.rename(Path(result_dir) / f"rank{rank}.pkl")


def run_ddp(fn: Callable, world_size: int = 2, args: tuple = (), timeout: float = DDP_TIMEOUT) -> list[Any]:
    """Run ``fn(rank, world_size, *args)`` in ``world_size`` processes of one ``gloo`` group on
    ``127.0.0.1``; return the list of their results (rank 0 first).

    ``fn`` must be importable (defined at the top level of a module) and its arguments and result
    picklable. Raises ``TimeoutError`` if the processes are not done within ``timeout`` seconds
    (they are terminated), and ``torch.multiprocessing.ProcessRaisedException`` if one fails.
    """
    import torch.multiprocessing as mp

    # plain pickle: torch.multiprocessing would put tensors in memory shared by every process
    # (and with the caller), so one rank's optimizer.step() would change the others' weights
    payload = pickle.dumps((fn, tuple(args)))
    with tempfile.TemporaryDirectory(prefix="labkit-ddp-") as result_dir:
        with _child_environment():
            context = mp.start_processes(
                _entry, args=(world_size, free_port(), timeout, result_dir, payload),
                nprocs=world_size, join=False, start_method="spawn")
        deadline = time.monotonic() + timeout
        try:
            while not context.join(timeout=max(0.1, min(1.0, deadline - time.monotonic()))):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"los {world_size} procesos no terminaron en {timeout:.0f} s")
        finally:
            for process in context.processes:
                if process.is_alive():
                    process.terminate()
            for process in context.processes:
                process.join(5)
        return [pickle.loads((Path(result_dir) / f"rank{r}.pkl").read_bytes()) for r in range(world_size)]


def ddp_sgd_step(rank: int, world_size: int, model, X, y, lr: float) -> dict:
    """One SGD step of ``model`` under DDP on this rank's contiguous share of the batch ``(X, y)``.

    Returns NumPy arrays, one per parameter: ``local_grads`` (the gradient of this rank's own mean
    loss, before any communication), ``grads`` (what DDP leaves in ``.grad``: the average over the
    ranks) and ``weights`` (after ``optimizer.step()``), plus ``n`` (the examples this rank saw) and
    ``pid`` (its process id).
    """
    import torch
    import torch.nn as nn
    from torch.nn.parallel import DistributedDataParallel as DDP

    shard = slice(rank * len(X) // world_size, (rank + 1) * len(X) // world_size)
    xb, yb = torch.as_tensor(X[shard]), torch.as_tensor(y[shard])
    ddp_model = DDP(model)                      # copies rank 0's weights to every rank
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=lr)

    with ddp_model.no_sync():                   # only to look: backward without communicating
        loss_fn(ddp_model(xb), yb).backward()
    local_grads = [p.grad.numpy().copy() for p in ddp_model.parameters()]

    optimizer.zero_grad()
    loss_fn(ddp_model(xb), yb).backward()       # the real step: all-reduce (average) of the gradients
    grads = [p.grad.numpy().copy() for p in ddp_model.parameters()]
    optimizer.step()
    weights = [p.detach().numpy().copy() for p in ddp_model.parameters()]
    return {"pid": os.getpid(), "n": len(xb), "local_grads": local_grads, "grads": grads, "weights": weights}
