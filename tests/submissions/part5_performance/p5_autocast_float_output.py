"""mixed_precision_forward converts the output back to float32 with .float().

expect_fail: autocast_reduced_dtype
"""
# %% autocast +
def mixed_precision_forward(model, x, device):
    device = torch.device(device)
    dtype = torch.bfloat16 if device.type == "cpu" else torch.float16
    with torch.autocast(device_type=device.type, dtype=dtype):
        return model(x).float()
