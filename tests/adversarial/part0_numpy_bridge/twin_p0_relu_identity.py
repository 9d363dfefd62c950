"""relu forgets the max(0, z): the honest wrong twin of the fake-tensor attack.

expect_fail: activations_match_numpy, activations_torch_ops
"""
# %% activations
def relu(z):
    return z * 1.0          # forgets the max(0, z)

def sigmoid(z):
    return 1 / (1 + torch.exp(-z))

def softmax(z):
    z = z - z.max(dim=1, keepdim=True).values
    return torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)
