"""run_pipeline reports the accuracies on the training split instead of the held-out test split.

expect_fail: pipeline_pytorch, pipeline_keras
"""
# %% pipeline +
_reference_run_pipeline = run_pipeline


def run_pipeline(config, framework, output_dir):
    result = _reference_run_pipeline(config, framework, output_dir)
    d = config["data"]
    X_all, y_all = load_digits()
    X_rest, _, y_rest, _ = split(X_all, y_all, test_size=d["test_size"], seed=d["seed"])
    X_tr, _, y_tr, _ = split(X_rest, y_rest, test_size=d["val_size"], seed=d["seed"])
    if framework == "pytorch":
        model = MultiTaskNet(config["model"]["width"], config["model"]["num_blocks"])
        model.load_state_dict(torch.load(result["model_path"], weights_only=True))
        _, acc_digit, acc_parity = evaluate_multitask(model, X_tr, y_tr)
    else:
        pd, pp = keras.models.load_model(result["model_path"]).predict(X_tr, verbose=0)
        acc_digit, acc_parity = (pd.argmax(1) == y_tr).mean(), (pp.argmax(1) == y_tr % 2).mean()
    return {**result, "digit_accuracy": float(acc_digit), "parity_accuracy": float(acc_parity)}
