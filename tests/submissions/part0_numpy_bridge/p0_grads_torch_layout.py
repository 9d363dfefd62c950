"""Gradients returned in PyTorch's layout: weight.grad not transposed, biases left as (n,).

expect_fail: autograd_grads_layout, autograd_grads_match_backward
"""
# %% autograd_grads
def autograd_gradients(model_pt, X, y_onehot):
    model_pt.zero_grad()
    loss = F.cross_entropy(model_pt(torch.tensor(X, dtype=torch.float32)),
                           torch.tensor(y_onehot.argmax(axis=1)))
    loss.backward()
    return {"dW1": model_pt.fc1.weight.grad.numpy(), "db1": model_pt.fc1.bias.grad.numpy(),
            "dW2": model_pt.fc2.weight.grad.numpy(), "db2": model_pt.fc2.bias.grad.numpy()}
