"""Dynamic quantization with dtype=torch.float16: the serialized model is not smaller than 40 % of the float one.

expect_fail: quantized_small_accurate
"""
# %% torch_quant +
def quantize_linear(model):
    return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.float16)
