#ifndef PIXELOOD_CHDF5_SHIM_H
#define PIXELOOD_CHDF5_SHIM_H
// HDF5's type and property identifiers are macros over globals that Swift cannot
// import; these inline functions expose them as plain calls.
#include <hdf5.h>

static inline hid_t pxo_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t pxo_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pxo_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t pxo_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t pxo_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t pxo_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t pxo_h5s_all(void) { return H5S_ALL; }
static inline hid_t pxo_h5p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t pxo_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline unsigned pxo_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned pxo_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
/// Silences HDF5's own error printing to stderr; errors are reported by the Swift layer.
static inline void pxo_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

#endif
