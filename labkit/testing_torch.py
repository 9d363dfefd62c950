"""PyTorch-specific test helpers (imports torch, never TensorFlow)."""
from __future__ import annotations

import torch

_CUDA_NUMPY_ERROR = ("can't convert cuda:0 device type tensor to numpy. "
                     "Use Tensor.cpu() to copy the tensor to host memory first.")


def _targets_cpu(args, kwargs) -> bool:
    for a in list(args[1:]) + list(kwargs.values()):
        if isinstance(a, (str, torch.device)) and torch.device(a).type == "cpu":
            return True
    return False


class GpuLikeTensor(torch.Tensor):
    """A CPU tensor that behaves like a CUDA tensor where a student's code can tell.

    ``.numpy()`` raises the same ``TypeError`` as on a GPU until the tensor is brought back with
    ``.cpu()`` / ``.to("cpu")``; ``.device`` says ``cuda:0`` and ``.is_cuda`` is True. It lets a
    CPU-only machine catch ``tensor.numpy()`` on a GPU tensor, so points never depend on hardware.
    """

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        owner = getattr(func, "__self__", None)
        if owner is torch._C.TensorBase.device:
            return torch.device("cuda", 0)
        if owner is torch._C.TensorBase.is_cuda:
            return True
        if name == "__array__" or (name == "numpy" and not kwargs.get("force", False)):
            raise TypeError(_CUDA_NUMPY_ERROR)
        with torch._C.DisableTorchFunctionSubclass():
            out = func(*args, **kwargs)
        if name == "cpu" or (name == "to" and _targets_cpu(args, kwargs)):
            return out.as_subclass(torch.Tensor)
        if isinstance(out, torch.Tensor) and not isinstance(out, GpuLikeTensor):
            return out.as_subclass(GpuLikeTensor)
        return out


def gpu_like(t: torch.Tensor) -> GpuLikeTensor:
    """Wrap ``t`` (keeping ``requires_grad``) as a :class:`GpuLikeTensor`."""
    out = t.detach().as_subclass(GpuLikeTensor)
    return out.requires_grad_(t.requires_grad)
