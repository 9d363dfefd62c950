"""Softmax normalised over the columns (dim=0) instead of over each row.

expect_fail: activations_match_numpy, activations_softmax_stable, activations_torch_ops
"""
# %% activations
def relu(z):
    return torch.relu(z)


def sigmoid(z):
    return 1 / (1 + torch.exp(-z))


def softmax(z):
    e = torch.exp(z - z.max(dim=0, keepdim=True).values)
    return e / e.sum(dim=0, keepdim=True)
