"""run_pipeline always trains every epoch of the config: patience is read but never used.

expect_fail: pipeline_early_stopping
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
    if framework == "pytorch":
        model = MultiTaskNet(m["width"], m["num_blocks"])
        optimizer = torch.optim.Adam(model.parameters(), lr=t["learning_rate"])
        loader = make_loader(X_tr, y_tr, t["batch_size"], shuffle=True)
        for epoch in range(t["epochs"]):
            train_one_epoch(model, loader, optimizer)
        _, acc_digit, acc_parity = evaluate_multitask(model, X_test, y_test)
        path = output_dir / "model.pt"
        torch.save(model.state_dict(), path)
        reloaded = MultiTaskNet(m["width"], m["num_blocks"])
        reloaded.load_state_dict(torch.load(path, weights_only=True))
        reloaded.eval()
        with torch.no_grad():
            same = bool(torch.equal(model(torch.from_numpy(X_test))[0], reloaded(torch.from_numpy(X_test))[0]))
        epochs_run = t["epochs"]
    else:
        model = build_keras_multitask(m["width"], m["num_blocks"])
        history = model.fit(X_tr, {"digit": y_tr, "parity": y_tr % 2}, epochs=t["epochs"],
                            batch_size=t["batch_size"], verbose=0,
                            validation_data=(X_val, {"digit": y_val, "parity": y_val % 2}))
        epochs_run = len(history.history["loss"])
        pd, pp = model.predict(X_test, verbose=0)
        acc_digit, acc_parity = (pd.argmax(1) == y_test).mean(), (pp.argmax(1) == y_test % 2).mean()
        path = output_dir / "model.keras"
        model.save(path)
        same = bool(np.array_equal(pd, keras.models.load_model(path).predict(X_test, verbose=0)[0]))
    return {"digit_accuracy": float(acc_digit), "parity_accuracy": float(acc_parity),
            "epochs_run": int(epochs_run), "model_path": str(path), "reload_identical": same}
