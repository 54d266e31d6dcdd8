#ifdef __cplusplus
}
#endif
#endif /* OLOCK_FAKE_H_INCLUDED */
