"""Summed instead of mean cross-entropy: every gradient is m times too large.

expect_fail: autograd_grads_match_backward
"""
# %% autograd_grads
def autograd_gradients(model_pt, X, y_onehot):
    model_pt.zero_grad()
    loss = F.cross_entropy(model_pt(torch.tensor(X, dtype=torch.float32)),
                           torch.tensor(y_onehot.argmax(axis=1)), reduction="sum")
    loss.backward()
    return {"dW1": model_pt.fc1.weight.grad.T.numpy(), "db1": model_pt.fc1.bias.grad.numpy()[None, :],
            "dW2": model_pt.fc2.weight.grad.T.numpy(), "db2": model_pt.fc2.bias.grad.numpy()[None, :]}
