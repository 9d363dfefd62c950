"""Correct activations written another way: softmax as exp(z - logsumexp(z)) (off by ~3e-5 from the exact value at
|z| = 1000 in float32, all of it float32 rounding of z), ReLU with torch.where, sigmoid with torch.sigmoid.

expect: full
"""
# %% activations
def relu(z):
    return torch.where(z > 0, z, torch.zeros_like(z))


def sigmoid(z):
    return torch.sigmoid(z)


def softmax(z):
    return torch.exp(z - torch.logsumexp(z, dim=1, keepdim=True))
