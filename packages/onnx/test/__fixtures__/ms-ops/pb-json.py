"""TensorProto <-> JSON for record-outputs.mjs: `decode <model> <set dir>` prints the inputs by graph input name;
`encode <dir>` turns every test_data_set_0/output_N.json under <dir> into output_N.pb (and deletes the JSON)."""
import glob
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

if sys.argv[1] == 'decode':
    m = onnx.load(sys.argv[2])
    init = {i.name for i in m.graph.initializer}
    names = [i.name for i in m.graph.input if i.name not in init]
    feeds = {}
    for i, n in enumerate(names):
        t = onnx.TensorProto()
        with open(os.path.join(sys.argv[3], f'input_{i}.pb'), 'rb') as fh:
            t.ParseFromString(fh.read())
        a = numpy_helper.to_array(t)
        feeds[n] = {'type': str(a.dtype), 'dims': list(a.shape), 'data': a.reshape(-1).tolist()}
    print(json.dumps(feeds))
else:
    for p in sorted(glob.glob(os.path.join(sys.argv[2], '*', 'test_data_set_0', 'output_*.json'))):
        with open(p) as fh:
            o = json.load(fh)
        a = np.array(o['data'], dtype=o['type']).reshape(o['dims'])
        with open(p[:-5] + '.pb', 'wb') as fh:
            fh.write(numpy_helper.from_array(a, o['name']).SerializeToString())
        os.remove(p)
