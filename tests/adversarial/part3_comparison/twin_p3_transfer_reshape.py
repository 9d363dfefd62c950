"""Honest twin: torch_to_keras copies each weight with reshape instead of a transpose, so the numbers land in the
wrong places (the shapes fit, the predictions do not).

expect_fail: transfer_torch_to_keras
"""
# %% weight_transfer +
def torch_to_keras(torch_model, keras_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    for linear, dense in zip(linears, denses):
        w = linear.weight.detach().cpu().numpy()
        dense.set_weights([w.reshape(w.shape[1], w.shape[0]), linear.bias.detach().cpu().numpy()])
