"""The pipeline's parity target is "digit >= 5" instead of "digit is odd": another balanced binary task, so the
accuracies it reports (against its own target) look just as good.

expect_fail: pipeline_pytorch, pipeline_keras
"""
# %% pipeline +
def run_pipeline(config, framework, output_dir):
    if framework not in ("pytorch", "keras"):
        raise ValueError(f"framework desconocido: {framework}")
    m, t, d = config["model"], config["training"], config["data"]
    output_dir = Path(output_dir)
    set_seeds(d["seed"])
    X_all, y_all = load_digits()
    X_rest, X_test, y_rest, y_test = split(X_all, y_all, test_size=d["test_size"], seed=d["seed"])
    X_tr, X_val, y_tr, y_val = split(X_rest, y_rest, test_size=d["val_size"], seed=d["seed"])
    high = lambda labels: (labels >= 5).astype(np.int64)  # la "paridad" equivocada
    if framework == "pytorch":
        model = MultiTaskNet(m["width"], m["num_blocks"])
        optimizer = torch.optim.Adam(model.parameters(), lr=t["learning_rate"])
        ds = torch.utils.data.TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr), torch.from_numpy(high(y_tr)))
        loader = torch.utils.data.DataLoader(ds, batch_size=t["batch_size"], shuffle=True,
                                             generator=torch.Generator().manual_seed(d["seed"]))

        def scores(Xs, ys):
            model.eval()
            with torch.no_grad():
                dl, pl = model(torch.from_numpy(Xs))
                yd, yp = torch.from_numpy(ys), torch.from_numpy(high(ys))
                loss = multitask_loss((dl, pl), (yd, yp)).item()
            return loss, (dl.argmax(1) == yd).float().mean().item(), (pl.argmax(1) == yp).float().mean().item()

        best, best_state, waited, epochs_run = float("inf"), None, 0, 0
        for _ in range(t["epochs"]):
            model.train()
            for xb, yb, pb in loader:
                optimizer.zero_grad()
                multitask_loss(model(xb), (yb, pb)).backward()
                optimizer.step()
            epochs_run += 1
            val_loss = scores(X_val, y_val)[0]
            if val_loss < best:
                best, best_state, waited = val_loss, copy.deepcopy(model.state_dict()), 0
            else:
                waited += 1
                if waited >= t["patience"]:
                    break
        model.load_state_dict(best_state)
        _, acc_digit, acc_parity = scores(X_test, y_test)
        path = output_dir / "multitask.pt"
        torch.save(model.state_dict(), path)
        reloaded = MultiTaskNet(m["width"], m["num_blocks"])
        reloaded.load_state_dict(torch.load(path, weights_only=True))
        reloaded.eval()
        with torch.no_grad():
            same = bool(torch.equal(model(torch.from_numpy(X_test))[0], reloaded(torch.from_numpy(X_test))[0]))
    else:
        model = build_keras_multitask(m["width"], m["num_blocks"])
        model.optimizer.learning_rate = t["learning_rate"]
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=t["patience"], restore_best_weights=True)
        history = model.fit(X_tr, {"digit": y_tr, "parity": high(y_tr)}, epochs=t["epochs"],
                            batch_size=t["batch_size"], callbacks=[stop], verbose=0,
                            validation_data=(X_val, {"digit": y_val, "parity": high(y_val)}))
        epochs_run = len(history.history["loss"])
        pd, pp = model.predict(X_test, verbose=0)
        acc_digit, acc_parity = (pd.argmax(1) == y_test).mean(), (pp.argmax(1) == high(y_test)).mean()
        path = output_dir / "multitask.keras"
        model.save(path)
        same = bool(np.array_equal(pd, keras.models.load_model(path).predict(X_test, verbose=0)[0]))
    return {"digit_accuracy": float(acc_digit), "parity_accuracy": float(acc_parity),
            "epochs_run": int(epochs_run), "model_path": str(path), "reload_identical": same}
