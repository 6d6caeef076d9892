"""Writes the .npy fixtures of the facade's tests with NumPy itself (the reference writer).

Run: python3 packages/qint/scripts/make-npy-fixtures.py
"""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), '..', 'test', '__fixtures__', 'npy')
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, 'f4_2x3.npy'), np.arange(6, dtype='<f4').reshape(2, 3) / 4)
np.save(os.path.join(out, 'f8_3.npy'), np.array([0.1, -2.5, 1e10]))
np.save(os.path.join(out, 'i8_labels.npy'), np.array([7, 2, 1, 0], dtype='<i8'))
np.save(os.path.join(out, 'u1_2x2x2.npy'), np.arange(8, dtype='u1').reshape(2, 2, 2) * 30)
np.save(os.path.join(out, 'f2_2.npy'), np.array([0.5, -1 / 3], dtype='<f2'))
np.save(os.path.join(out, 'b1_3.npy'), np.array([True, False, True]))
np.save(os.path.join(out, 'scalar_f4.npy'), np.float32(3.5))
np.save(os.path.join(out, 'empty_0x4.npy'), np.zeros((0, 4), dtype='<f4'))
np.save(os.path.join(out, 'fortran_i4_2x3.npy'), np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3)))
np.save(os.path.join(out, 'big_endian.npy'), np.arange(3, dtype='>f4'))
# Header of version 2.0 (NumPy writes it when the header exceeds 65535 bytes; force it through the format module).
with open(os.path.join(out, 'v2_f4_2.npy'), 'wb') as f:
    np.lib.format.write_array(f, np.array([1.0, 2.0], dtype='<f4'), version=(2, 0))
