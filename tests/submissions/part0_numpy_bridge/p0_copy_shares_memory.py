"""Parameters replaced by views of the NumPy arrays: float64 and shared memory with the NumPy network.

expect_fail: copy_weights_equivalent, copy_weights_no_history
"""
# %% copy_weights
def copy_numpy_weights(model_np, model_pt):
    model_pt.fc1.weight = nn.Parameter(torch.from_numpy(model_np.W1.T))
    model_pt.fc1.bias = nn.Parameter(torch.from_numpy(model_np.b1[0]))
    model_pt.fc2.weight = nn.Parameter(torch.from_numpy(model_np.W2.T))
    model_pt.fc2.bias = nn.Parameter(torch.from_numpy(model_np.b2[0]))
