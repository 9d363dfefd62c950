"""mixed_precision_forward converts the model and the input to bfloat16 by hand instead of using torch.autocast.

expect_fail: autocast_model_unchanged
"""
# %% autocast +
def mixed_precision_forward(model, x, device):
    dtype = torch.bfloat16 if torch.device(device).type == "cpu" else torch.float16
    return model.to(dtype)(x.to(dtype))
