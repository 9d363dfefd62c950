"""Weights reshaped to the nn.Linear shape instead of transposed: no shape error, wrong network.

expect_fail: copy_weights_equivalent
"""
# %% copy_weights
def copy_numpy_weights(model_np, model_pt):
    with torch.no_grad():
        for layer, W, b in [(model_pt.fc1, model_np.W1, model_np.b1),
                            (model_pt.fc2, model_np.W2, model_np.b2)]:
            layer.weight.copy_(torch.from_numpy(W).reshape(layer.weight.shape))
            layer.bias.copy_(torch.from_numpy(b).reshape(layer.bias.shape))
