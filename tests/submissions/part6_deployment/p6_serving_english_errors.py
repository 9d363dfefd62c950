"""Catches every exception and answers with Python's own (English) message instead of a clear Spanish one.

expect_fail: serving_errors_spanish
"""
# %% serving +
def make_handler(predict):
    def handler(request):
        try:
            X = np.asarray(json.loads(request)["instances"], dtype=np.float32)
            if X.ndim != 2 or X.shape[1] != 64 or len(X) == 0:
                raise ValueError(f"bad shape {X.shape}")
            return json.dumps({"predictions": np.asarray(predict(X)).tolist()})
        except Exception as err:
            return json.dumps({"error": str(err)})
    return handler
