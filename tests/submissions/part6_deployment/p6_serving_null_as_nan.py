"""Validates only the array shape: NumPy turns null into nan, so a request with null gets nan predictions.

expect_fail: serving_errors
"""
# %% serving +
def make_handler(predict):
    def handler(request):
        try:
            data = json.loads(request)
        except (TypeError, ValueError):
            return json.dumps({"error": "La petición no es JSON válido."})
        if not isinstance(data, dict) or "instances" not in data:
            return json.dumps({"error": 'Falta la clave "instances".'})
        try:
            X = np.asarray(data["instances"], dtype=np.float32)
        except (TypeError, ValueError):
            return json.dumps({"error": "Las instancias deben ser listas de 64 números."})
        if X.ndim != 2 or len(X) == 0 or X.shape[1] != 64:
            return json.dumps({"error": f"Se esperaba una lista no vacía de filas de 64 valores y llegó la forma {X.shape}."})
        try:
            return json.dumps({"predictions": np.asarray(predict(X)).tolist()})
        except Exception:
            return json.dumps({"error": "Error interno al predecir."})
    return handler
