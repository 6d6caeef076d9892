import onnx, numpy as np
from onnx import helper as h, TensorProto as T
ops = {
 'Relu':({},), 'LeakyRelu':({'alpha':0.1},), 'Clip':({},), 'Elu':({},), 'Selu':({},), 'HardSigmoid':({},), 'HardSwish':({},),
 'ThresholdedRelu':({},), 'Shrink':({'lambd':0.5},), 'Celu':({},), 'Sign':({},), 'Softplus':({},), 'Softsign':({},),
 'Sigmoid':({},), 'Tanh':({},), 'Abs':({},),
}
for op,(attrs,) in ops.items():
  ins=['x']; extra=[]; inits=[]
  if op=='Clip':
    ins=['x','lo','hi']; inits=[h.make_tensor('lo',T.FLOAT,[],[-1.0]),h.make_tensor('hi',T.FLOAT,[],[1.0])]
  n=h.make_node(op,ins,['y'],**attrs)
  g=h.make_graph([n],'g',[h.make_tensor_value_info('x',T.FLOAT,[2,8])],[h.make_tensor_value_info('y',T.FLOAT,[2,8])],initializer=inits)
  m=h.make_model(g,opset_imports=[h.make_opsetid('',18)]); m.ir_version=8
  onnx.save(m,f'{op}.onnx')
def save(name, nodes, ins, outs, inits=[]):
  g=h.make_graph(nodes,'g',[h.make_tensor_value_info(n,T.FLOAT,s) for n,s in ins],[h.make_tensor_value_info(n,T.FLOAT,None) for n in outs],initializer=inits)
  m=h.make_model(g,opset_imports=[h.make_opsetid('',18)]); m.ir_version=8; onnx.save(m,name+'.onnx')
S=[1,2,4,4]
save('MaxPool',[h.make_node('MaxPool',['x'],['y'],kernel_shape=[2,2],strides=[2,2])],[('x',S)],['y'])
save('MaxPool3',[h.make_node('MaxPool',['x'],['y'],kernel_shape=[3,3],strides=[1,1],pads=[1,1,1,1])],[('x',S)],['y'])
save('GlobalMaxPool',[h.make_node('GlobalMaxPool',['x'],['y'])],[('x',S)],['y'])
save('ReduceMax',[h.make_node('ReduceMax',['x','ax'],['y'],keepdims=0)],[('x',S)],['y'],[h.make_tensor('ax',T.INT64,[1],[3])])
save('ReduceMin',[h.make_node('ReduceMin',['x','ax'],['y'],keepdims=0)],[('x',S)],['y'],[h.make_tensor('ax',T.INT64,[1],[3])])
save('ReduceMaxAll',[h.make_node('ReduceMax',['x'],['y'],keepdims=0)],[('x',S)],['y'])
save('Softmax',[h.make_node('Softmax',['x'],['y'],axis=-1)],[('x',S)],['y'])
save('LogSoftmax',[h.make_node('LogSoftmax',['x'],['y'],axis=-1)],[('x',S)],['y'])
save('Max',[h.make_node('Max',['x','z'],['y'])],[('x',S),('z',S)],['y'])
save('Min',[h.make_node('Min',['x','z'],['y'])],[('x',S),('z',S)],['y'])
rng=np.random.RandomState(0)
W=h.make_tensor('w',T.FLOAT,[3,2,3,3],rng.randn(3*2*9).astype(np.float32)); B=h.make_tensor('b',T.FLOAT,[3],[0.1,-0.2,0.3])
save('ConvRelu',[h.make_node('Conv',['x','w','b'],['c'],pads=[1,1,1,1]),h.make_node('Relu',['c'],['y'])],[('x',S)],['y'],[W,B])
save('ConvReluPool',[h.make_node('Conv',['x','w','b'],['c'],pads=[1,1,1,1]),h.make_node('Relu',['c'],['r']),h.make_node('MaxPool',['r'],['y'],kernel_shape=[2,2],strides=[2,2])],[('x',S)],['y'],[W,B])
save('ConvClip',[h.make_node('Conv',['x','w','b'],['c'],pads=[1,1,1,1]),h.make_node('Clip',['c','lo','hi'],['y'])],[('x',S)],['y'],[W,B,h.make_tensor('lo',T.FLOAT,[],[0.0]),h.make_tensor('hi',T.FLOAT,[],[6.0])])
