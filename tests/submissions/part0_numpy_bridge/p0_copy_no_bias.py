"""copy_numpy_weights copies W1 and W2 but forgets the biases: PyTorch keeps its random initial biases.

expect_fail: copy_weights_equivalent
"""
# %% copy_weights
def copy_numpy_weights(model_np, model_pt):
    with torch.no_grad():
        model_pt.fc1.weight.copy_(torch.from_numpy(model_np.W1.T))
        model_pt.fc2.weight.copy_(torch.from_numpy(model_np.W2.T))
