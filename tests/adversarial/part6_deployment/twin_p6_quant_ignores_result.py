"""quantize_linear calls quantize_dynamic but returns the original float model (quantize_dynamic is not in-place).

expect_fail: quantized_small_accurate
"""
# %% torch_quant +
def quantize_linear(model):
    torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    return model
