#ifdef __cplusplus
}
#endif
#endif /* OLOCK_H_INCLUDED */
