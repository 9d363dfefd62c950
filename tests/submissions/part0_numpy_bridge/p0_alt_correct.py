"""Correct answers written another way: softmax as exp(z - logsumexp(z)) (about 3e-5 from the exact value at
|z| = 1000 in float32, all of it float32 rounding of z), ReLU with torch.where, torch.as_tensor, to_numpy with
.to("cpu"), weights copied as new float32 nn.Parameters, gradients from torch.autograd.grad (no .grad touched) with
log_softmax + nll_loss, losses returned as NumPy float32 scalars instead of Python floats.

expect: full
"""
# %% activations
def relu(z):
    return torch.where(z > 0, z, torch.zeros_like(z))


def sigmoid(z):
    return torch.sigmoid(z)


def softmax(z):
    return torch.exp(z - torch.logsumexp(z, dim=1, keepdim=True))

# %% convert
def to_torch(x):
    return torch.as_tensor(x)


def to_numpy(t):
    return t.detach().to("cpu").numpy()

# %% copy_weights
def copy_numpy_weights(model_np, model_pt):
    for layer, W, b in [(model_pt.fc1, model_np.W1, model_np.b1), (model_pt.fc2, model_np.W2, model_np.b2)]:
        layer.weight = nn.Parameter(torch.tensor(np.asarray(W).T, dtype=torch.float32))
        layer.bias = nn.Parameter(torch.tensor(np.asarray(b).reshape(-1), dtype=torch.float32))

# %% autograd_grads
def autograd_gradients(model_pt, X, y_onehot):
    logits = model_pt(torch.tensor(X, dtype=torch.float32))
    loss = F.nll_loss(F.log_softmax(logits, dim=1), torch.tensor(np.argmax(y_onehot, axis=1)))
    params = [model_pt.fc1.weight, model_pt.fc1.bias, model_pt.fc2.weight, model_pt.fc2.bias]
    gW1, gb1, gW2, gb2 = torch.autograd.grad(loss, params)
    return {"dW1": gW1.T.numpy().copy(), "db1": gb1[None, :].numpy().copy(),
            "dW2": gW2.T.numpy().copy(), "db2": gb2[None, :].numpy().copy()}

# %% train_sgd
def train_pytorch(model_pt, X, y, lr=0.01, epochs=100):
    X_t = torch.from_numpy(np.asarray(X, dtype=np.float32))
    y_t = torch.from_numpy(np.asarray(y)).long()
    optimizer = torch.optim.SGD(model_pt.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = F.cross_entropy(model_pt(X_t), y_t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.detach().numpy()[()])  # un escalar np.float32
    return losses
