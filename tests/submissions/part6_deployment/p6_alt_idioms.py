"""Correct answers to every answer cell written with other idioms than the obvious ones: ONNX export with other
input/output names, list-form dynamic axes and an explicit opset, TFLite through `model.export` (SavedModel) and
`from_saved_model`, quantization with a qconfig dict and the size measured on a temporary file, global L1
pruning with `prune.global_unstructured`, a latency table built lot-major with `timeit.repeat`, and a JSON
handler that validates step by step with its own Spanish messages. Must keep full marks.

expect: full
"""
# %% onnx
def export_onnx(model, example_input, path):
    model.train(False)
    torch.onnx.export(model, example_input, str(path), dynamo=False, opset_version=17,
                      input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": [0], "logits": [0]})


def onnx_predict(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: np.ascontiguousarray(X, dtype=np.float32)}
    (first, *_rest) = session.run([session.get_outputs()[0].name], feed)
    return np.asarray(first)


# %% tflite
def convert_tflite(model, quantize=False):
    with tempfile.TemporaryDirectory() as tmp:
        export_dir = os.path.join(tmp, "saved_model")
        with contextlib.redirect_stdout(io.StringIO()):
            model.export(export_dir, format="tf_saved_model")
        converter = tf.lite.TFLiteConverter.from_saved_model(export_dir)
        if quantize:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        return bytes(converter.convert())


def tflite_predict(model_bytes, X):
    X = np.ascontiguousarray(X, dtype=np.float32)
    interpreter = tf.lite.Interpreter(model_content=model_bytes)
    (inp,) = interpreter.get_input_details()
    interpreter.resize_tensor_input(inp["index"], list(X.shape), strict=False)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], X)
    interpreter.invoke()
    return np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))


# %% torch_quant
def quantize_linear(model):
    model = copy.deepcopy(model).eval()
    return torch.ao.quantization.quantize_dynamic(
        model, qconfig_spec={nn.Linear: torch.ao.quantization.default_dynamic_qconfig})


def model_size_bytes(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "state.pt")
        torch.save(model.state_dict(), path)
        return int(os.path.getsize(path))


# %% pruning
def prune_model(model, amount):
    targets = [(module, "weight") for module in model.modules() if isinstance(module, nn.Linear)]
    prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=amount)
    for module, name in targets:
        prune.remove(module, name)
    return model


def sparsity(model):
    zeros = total = 0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            zeros += int((module.weight == 0).sum())
            total += module.weight.numel()
    return zeros / total


# %% latency
import timeit


def latency_table(predictors, X, batch_sizes=(1, 32, 256)):
    rows = []
    for batch_size in batch_sizes:
        batch = X[:batch_size]
        for name, predict in predictors.items():
            predict(batch)  # calentamiento
            seconds = timeit.repeat(lambda: predict(batch), repeat=7, number=1)
            median_ms = 1000.0 * float(np.median(seconds))
            rows.append({"name": name, "batch_size": int(batch_size), "median_ms": median_ms,
                         "throughput": batch_size / (median_ms / 1000.0)})
    return rows


# %% serving
import math


def make_handler(predict, n_features=64):
    def error(message):
        return json.dumps({"error": message})

    def handler(request):
        if not isinstance(request, str):
            return error(f"Se esperaba el cuerpo de la petición como texto JSON (str) y llegó {type(request).__name__}.")
        try:
            body = json.loads(request)
        except ValueError as err:
            return error(f"El cuerpo de la petición no es JSON válido ({err}).")
        if not isinstance(body, dict):
            return error(f'Se esperaba un objeto JSON {{"instances": [...]}} y llegó {type(body).__name__}.')
        if "instances" not in body:
            return error(f'Falta la clave "instances"; claves recibidas: {sorted(map(str, body))}.')
        instances = body["instances"]
        if not isinstance(instances, list):
            return error(f'"instances" debe ser una lista de instancias y es {type(instances).__name__}.')
        if len(instances) == 0:
            return error('"instances" está vacía: se esperaba al menos una instancia.')
        for i, row in enumerate(instances):
            if not isinstance(row, list):
                return error(f"La instancia {i} debe ser una lista de {n_features} números y es {type(row).__name__}.")
            if len(row) != n_features:
                return error(f"La instancia {i} tiene {len(row)} valores y se esperaban {n_features}.")
            for j, value in enumerate(row):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return error(f"El valor {j} de la instancia {i} debe ser un número y es {value!r}.")
                if not math.isfinite(value):
                    return error(f"El valor {j} de la instancia {i} debe ser un número finito y es {value!r}.")
        X = np.array(instances, dtype=np.float32)
        try:
            predictions = np.asarray(predict(X)).tolist()
            return json.dumps({"predictions": predictions})
        except Exception as err:
            return error(f"El modelo no pudo predecir: {type(err).__name__}: {err}")

    return handler
