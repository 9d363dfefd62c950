"""Activations computed with NumPy and wrapped back into tensors: right values, but autograd is cut.

expect_fail: activations_torch_ops
"""
# %% activations
def relu(z):
    return torch.tensor(np.maximum(0, z.detach().numpy()))


def sigmoid(z):
    return torch.tensor(1 / (1 + np.exp(-z.detach().numpy())))


def softmax(z):
    a = z.detach().numpy()
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return torch.tensor(e / e.sum(axis=1, keepdims=True))
