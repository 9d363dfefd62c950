"""One pair of twins is built before the loop and trained again in every run (runs are not independent).

expect_fail: compare_fair
"""
# %% fair_compare +
def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    torch.manual_seed(seed)
    keras.utils.set_random_seed(seed)
    torch_model, keras_model = build_torch_twin(), build_keras_twin()
    optimizer = torch.optim.Adam(torch_model.parameters(), lr=1e-3)
    keras_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    times = {"pytorch": [], "tensorflow": []}
    accs = {"pytorch": [], "tensorflow": []}
    for run in range(n_runs):
        loader = make_torch_loader(X_train, y_train, batch_size=batch_size, seed=seed + run)
        start = time.perf_counter()
        torch_model.train()
        for _ in range(epochs):
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = nn.functional.binary_cross_entropy(torch_model(xb), yb.float().reshape(-1, 1))
                loss.backward()
                optimizer.step()
        times["pytorch"].append(time.perf_counter() - start)
        torch_model.eval()
        with torch.no_grad():
            p = torch_model(torch.as_tensor(X_test, dtype=torch.float32)).numpy().reshape(-1)
        accs["pytorch"].append(float(np.mean((p > 0.5) == y_test)))

        start = time.perf_counter()
        keras_model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
        times["tensorflow"].append(time.perf_counter() - start)
        accs["tensorflow"].append(keras_model.evaluate(X_test, y_test, verbose=0)[1])
    return {name: {"time_mean": float(np.mean(times[name])), "time_std": float(np.std(times[name])),
                   "acc_mean": float(np.mean(accs[name])), "acc_std": float(np.std(accs[name]))}
            for name in times}
