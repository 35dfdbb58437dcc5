/*
 * Link-time stand-in for TensorFlow's libtensorflow_cc.so.2: it only names the C API functions
 * libwild3d_ops calls, so the library can be linked before TF Java has extracted its natives.
 * At run time the real libtensorflow_cc.so.2, already loaded by TF Java, satisfies them (the
 * dynamic linker matches the soname). Never loaded itself.
 */
#define STUB(name) \
  void name(void);  \
  void name(void) {}
STUB(TF_NewStatus)
STUB(TF_DeleteStatus)
STUB(TF_GetCode)
STUB(TF_SetStatus)
STUB(TF_TensorData)
STUB(TF_NumDims)
STUB(TF_Dim)
STUB(TF_TensorType)
STUB(TF_DeleteTensor)
STUB(TF_NewKernelBuilder)
STUB(TF_RegisterKernelBuilder)
STUB(TF_GetInput)
STUB(TF_AllocateOutput)
STUB(TF_OpKernelContext_Failure)
STUB(TF_OpKernelConstruction_Failure)
STUB(TF_OpKernelConstruction_GetAttrFloat)
STUB(TF_OpKernelConstruction_GetAttrInt64)
STUB(TF_OpKernelConstruction_GetAttrSize)
STUB(TF_OpKernelConstruction_GetAttrFloatList)
STUB(TF_OpKernelConstruction_GetAttrInt64List)
STUB(TF_NewOpDefinitionBuilder)
STUB(TF_RegisterOpDefinition)
STUB(TF_OpDefinitionBuilderAddAttr)
STUB(TF_OpDefinitionBuilderAddInput)
STUB(TF_OpDefinitionBuilderAddOutput)
STUB(TF_OpDefinitionBuilderSetShapeInferenceFunction)
STUB(TF_NewShapeHandle)
STUB(TF_DeleteShapeHandle)
STUB(TF_NewDimensionHandle)
STUB(TF_DeleteDimensionHandle)
STUB(TF_ShapeInferenceContextGetInput)
STUB(TF_ShapeInferenceContextSetOutput)
STUB(TF_ShapeInferenceContextWithRank)
STUB(TF_ShapeInferenceContextDim)
STUB(TF_ShapeInferenceContextSubshape)
STUB(TF_ShapeInferenceContextVectorFromSize)
STUB(TF_ShapeInferenceContextConcatenateShapes)
STUB(TF_ShapeInferenceContextSetUnknownShape)
STUB(TF_DimensionHandleValueKnown)
STUB(TF_DimensionHandleValue)
