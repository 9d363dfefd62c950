"""The copied weights no longer require a gradient: the honest wrong twin of the patched Parameter class.

expect_fail: copy_weights_no_history, autograd_grads_layout, autograd_grads_match_backward
"""
# %% copy_weights
def copy_numpy_weights(model_np, model_pt):
    # wrong: the copied weights no longer require a gradient (the network could not be trained)
    for layer, W, b in ((model_pt.fc1, model_np.W1, model_np.b1), (model_pt.fc2, model_np.W2, model_np.b2)):
        layer.weight = nn.Parameter(torch.tensor(W.T, dtype=torch.float32), requires_grad=False)
        layer.bias = nn.Parameter(torch.tensor(b.ravel(), dtype=torch.float32), requires_grad=False)
