"""describe_devices lists each TensorFlow GPU's device_type ("GPU") instead of its name.

expect_fail: devices_describe
"""
# %% devices +
def describe_devices():
    cuda = torch.cuda.is_available()
    return {
        "torch_cuda": cuda,
        "torch_gpu_name": torch.cuda.get_device_name(0) if cuda else None,
        "tf_gpus": [gpu.device_type for gpu in tf.config.list_physical_devices("GPU")],
    }
