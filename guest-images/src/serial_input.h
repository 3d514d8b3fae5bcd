#ifndef SERIAL_INPUT_H
#define SERIAL_INPUT_H
/* pvtest.echo: echoes COM1 input lines received by interrupt until "quit"; 1 if any arrived. */
int serial_input_run(void);
#endif
