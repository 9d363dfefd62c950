"""Softmax without subtracting the row maximum: exp(1000) overflows to inf and the row becomes nan.

expect_fail: activations_softmax_stable
"""
# %% activations
def relu(z):
    return torch.clamp(z, min=0)


def sigmoid(z):
    return torch.sigmoid(z)


def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)
