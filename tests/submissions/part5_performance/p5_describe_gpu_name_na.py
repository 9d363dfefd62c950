"""describe_devices copies the guide's print and reports the missing GPU name as "N/A" instead of None.

expect_fail: devices_describe
"""
# %% devices +
def describe_devices():
    cuda = torch.cuda.is_available()
    return {
        "torch_cuda": cuda,
        "torch_gpu_name": torch.cuda.get_device_name(0) if cuda else "N/A",
        "tf_gpus": [gpu.name for gpu in tf.config.list_physical_devices("GPU")],
    }
