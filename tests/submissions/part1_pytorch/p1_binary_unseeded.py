"""train_binary_classifier ignores its seed: two trainings with the same seed give different models.

expect_fail: binary_classifier_seeded
"""
# %% binary_classifier +
def train_binary_classifier(X, y, epochs=100, lr=1e-3, seed=0):
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    model = BinaryClassifier(X_t.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCELoss()
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X_t), y_t)
        loss.backward()
        optimizer.step()
    return model
