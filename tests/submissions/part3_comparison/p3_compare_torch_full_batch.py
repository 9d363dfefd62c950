"""As in the course guide: PyTorch is trained full-batch (one step per epoch) while Keras uses mini-batches.

expect_fail: compare_fair
"""
# %% fair_compare +
def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    X_t = torch.as_tensor(X_train, dtype=torch.float32)
    y_t = torch.as_tensor(y_train, dtype=torch.float32).reshape(-1, 1)
    times = {"pytorch": [], "tensorflow": []}
    accs = {"pytorch": [], "tensorflow": []}
    for run in range(n_runs):
        torch.manual_seed(seed + run)
        keras.utils.set_random_seed(seed + run)
        model = build_torch_twin()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        start = time.perf_counter()
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = nn.functional.binary_cross_entropy(model(X_t), y_t)
            loss.backward()
            optimizer.step()
        times["pytorch"].append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            p = model(torch.as_tensor(X_test, dtype=torch.float32)).numpy().reshape(-1)
        accs["pytorch"].append(float(np.mean((p > 0.5) == y_test)))

        model = build_keras_twin()
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
        times["tensorflow"].append(time.perf_counter() - start)
        accs["tensorflow"].append(model.evaluate(X_test, y_test, verbose=0)[1])
    return {name: {"time_mean": float(np.mean(times[name])), "time_std": float(np.std(times[name])),
                   "acc_mean": float(np.mean(accs[name])), "acc_std": float(np.std(accs[name]))}
            for name in times}
