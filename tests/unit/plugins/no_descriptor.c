/* Exports nothing the loader looks for. */
int no_descriptor_value(void);
int no_descriptor_value(void) { return 1; }
