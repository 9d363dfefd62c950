"""model_size_bytes adds up numel * element_size of model.parameters(): a quantized model has no parameters left.

expect_fail: model_size_state_dict
"""
# %% torch_quant +
def model_size_bytes(model):
    return sum(p.numel() * p.element_size() for p in model.parameters())
