#ifndef PIXELOOD_CHDF5_SHIM_H
#define PIXELOOD_CHDF5_SHIM_H
// HDF5's type and property identifiers are macros over globals that Swift cannot
// import; these inline functions expose them as plain calls.
#include <hdf5.h>

static inline hid_t pxo_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t pxo_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pxo_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t pxo_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t pxo_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t pxo_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t pxo_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t pxo_h5s_all(void) { return H5S_ALL; }
static inline hid_t pxo_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t pxo_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t pxo_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t pxo_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline unsigned pxo_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned pxo_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned pxo_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned pxo_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline size_t pxo_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t pxo_h5e_default(void) { return H5E_DEFAULT; }
/// Silences HDF5's own error printing to stderr; errors are reported by the Swift layer.
static inline void pxo_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

#endif
