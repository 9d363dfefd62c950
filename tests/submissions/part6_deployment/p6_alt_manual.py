"""Correct answers in a second style: ONNX export of an eval-mode deep copy with a tuple of inputs and named
dynamic axes, TFLite from a concrete function of `model.__call__` run row by row in the interpreter, the size
from `BytesIO.getvalue()`, L1 pruning done by hand with `torch.topk` over all Linear weights at once (no
`torch.nn.utils.prune`), a sparsity from one concatenated tensor, a latency table built predictor-major with
`statistics.median`, and a JSON handler that checks exact types. Must keep full marks.

expect: full
"""
# %% onnx
def export_onnx(model, example_input, path):
    frozen = copy.deepcopy(model).eval()
    torch.onnx.export(frozen, (example_input,), path, dynamo=False,
                      input_names=["features"], output_names=["scores"],
                      dynamic_axes={"features": {0: "batch_size"}, "scores": {0: "batch_size"}})


def onnx_predict(path, X):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: X.astype(np.float32)})[0]


# %% tflite
def convert_tflite(model, quantize=False):
    n_features = model.input_shape[-1]
    signature = [tf.TensorSpec(shape=(None, n_features), dtype=tf.float32, name="x")]
    concrete = tf.function(lambda x: model(x, training=False), input_signature=signature).get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()


def tflite_predict(model_bytes, X):
    X = np.asarray(X, dtype=np.float32)
    interpreter = tf.lite.Interpreter(model_content=model_bytes)
    in_index = interpreter.get_input_details()[0]["index"]
    out_index = interpreter.get_output_details()[0]["index"]
    interpreter.resize_tensor_input(in_index, [1, X.shape[1]])
    interpreter.allocate_tensors()
    rows = []
    for x in X:
        interpreter.set_tensor(in_index, x[None, :])
        interpreter.invoke()
        rows.append(interpreter.get_tensor(out_index)[0])
    return np.stack(rows)


# %% torch_quant
def quantize_linear(model):
    return torch.ao.quantization.quantize_dynamic(model.eval(), qconfig_spec={torch.nn.Linear},
                                                  dtype=torch.qint8, inplace=False)


def model_size_bytes(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return len(buffer.getvalue())


# %% pruning
def prune_model(model, amount):
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
    magnitudes = torch.cat([w.detach().abs().flatten() for w in weights])
    n_prune = int(round(amount * magnitudes.numel()))
    if n_prune == 0:
        return model
    smallest = torch.topk(magnitudes, n_prune, largest=False).indices
    mask = torch.ones_like(magnitudes)
    mask[smallest] = 0.0
    offset = 0
    with torch.no_grad():
        for w in weights:
            n = w.numel()
            w.mul_(mask[offset:offset + n].view_as(w))
            offset += n
    return model


def sparsity(model):
    flat = torch.cat([m.weight.detach().flatten() for m in model.modules() if isinstance(m, nn.Linear)])
    return float((flat == 0).sum().item() / flat.numel())


# %% latency
import statistics


def latency_table(predictors, X, batch_sizes=(1, 32, 256)):
    table = []
    for name in predictors:
        predict = predictors[name]
        for bs in batch_sizes:
            xb = X[:bs]
            predict(xb)
            samples = []
            for _ in range(9):
                t0 = time.perf_counter()
                predict(xb)
                samples.append((time.perf_counter() - t0) * 1e3)
            median_ms = statistics.median(samples)
            table.append(dict(name=name, batch_size=bs, median_ms=median_ms, throughput=bs * 1000.0 / median_ms))
    return table


# %% serving
def make_handler(predict, n_features=64):
    def fail(msg):
        return json.dumps({"error": msg})

    def handler(request):
        if type(request) is not str:
            return fail(f"La petición debe ser una cadena con JSON; se recibió un objeto de tipo {type(request).__name__}.")
        try:
            payload = json.loads(request)
        except json.JSONDecodeError as exc:
            return fail(f"JSON mal formado en la línea {exc.lineno}, columna {exc.colno}: {exc.msg}.")
        if type(payload) is not dict or "instances" not in payload:
            return fail('La petición debe ser un objeto con la clave "instances" (una lista de filas de números).')
        rows = payload["instances"]
        if type(rows) is not list or not rows:
            return fail('"instances" debe ser una lista no vacía de filas; se recibió ' + json.dumps(rows)[:80] + ".")
        for i, row in enumerate(rows):
            if type(row) is not list or len(row) != n_features:
                found = len(row) if type(row) is list else type(row).__name__
                return fail(f"Cada instancia debe tener {n_features} valores numéricos; la fila {i} tiene {found}.")
            if not all(type(v) in (int, float) and v == v and abs(v) != float("inf") for v in row):
                return fail(f"La fila {i} contiene valores que no son números finitos (texto, null o listas).")
        try:
            out = predict(np.asarray(rows, dtype=np.float32))
            return json.dumps({"predictions": np.asarray(out).tolist()})
        except Exception as exc:  # el modelo falló: respondemos con un error, nunca con una excepción
            return fail(f"Error al ejecutar el modelo: {exc}")

    return handler
