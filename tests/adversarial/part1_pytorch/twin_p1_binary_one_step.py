"""train_binary_classifier ignores `epochs` and takes a single Adam step: the model is barely trained.

expect_fail: binary_classifier_accuracy
"""
# %% binary_classifier +
def train_binary_classifier(X, y, epochs=100, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    model = BinaryClassifier(X_t.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    optimizer.zero_grad()
    nn.BCELoss()(model(X_t), y_t).backward()
    optimizer.step()
    return model
